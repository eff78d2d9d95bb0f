package build

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultRunners maps targets to GitHub-hosted runner labels. Patterns are
// "goos/goarch/variant", "goos/goarch", "goos" or "*"; the most specific wins.
var defaultRunners = []string{
	"linux/arm64=ubuntu-24.04-arm",
	"darwin=macos-latest",
	"windows=windows-latest",
	"*=ubuntu-latest",
}

// RunnerMap assigns a runner label to each target.
type RunnerMap map[string]string

// ParseRunners reads "pattern=label" lines over the defaults.
func ParseRunners(lines []string) (RunnerMap, error) {
	m := RunnerMap{}
	for _, l := range append(append([]string{}, defaultRunners...), lines...) {
		pat, label, ok := strings.Cut(l, "=")
		pat, label = strings.TrimSpace(pat), strings.TrimSpace(label)
		if !ok || pat == "" || label == "" {
			return nil, fmt.Errorf("%q is not pattern=runner (for example linux/arm64=ubuntu-24.04-arm or *=ubuntu-latest)", l)
		}
		if strings.Count(pat, "/") > 2 || strings.Contains(pat, "//") || strings.HasPrefix(pat, "/") || strings.HasSuffix(pat, "/") {
			return nil, fmt.Errorf("%q: pattern must be *, goos, goos/goarch or goos/goarch/variant", l)
		}
		m[pat] = label
	}
	return m, nil
}

// For returns the runner for t.
func (m RunnerMap) For(t Target) string {
	for _, k := range []string{t.String(), t.GOOS + "/" + t.GOARCH, t.GOOS} {
		if r, ok := m[k]; ok {
			return r
		}
	}
	return m.Default()
}

// Default is the runner of targets no pattern names.
func (m RunnerMap) Default() string {
	if r, ok := m["*"]; ok {
		return r
	}
	return "ubuntu-latest"
}

// Shard is one job of the build matrix.
type Shard struct {
	Name    string   `json:"shard"`
	Runner  string   `json:"runner"`
	Targets string   `json:"targets"`
	list    []Target `json:"-"`
}

// TargetList returns the shard's targets.
func (s Shard) TargetList() []Target { return s.list }

// Matrix is the value for `strategy.matrix`.
type Matrix struct {
	Include []Shard `json:"include"`
}

// Shard finds a shard by name.
func (m Matrix) Shard(name string) (Shard, bool) {
	for _, s := range m.Include {
		if s.Name == name {
			return s, true
		}
	}
	return Shard{}, false
}

// Names lists the shard names.
func (m Matrix) Names() []string {
	var ns []string
	for _, s := range m.Include {
		ns = append(ns, s.Name)
	}
	return ns
}

// Plan spreads targets over at most max jobs (0: one job per target). Each
// target runs on its mapped runner; when the cap binds, targets that need no
// native runner (cgo off) move to the default runner and are grouped.
func Plan(targets []Target, runners RunnerMap, native func(Target) bool, max int) (Matrix, error) {
	if max <= 0 || max >= len(targets) {
		var m Matrix
		for _, t := range targets {
			m.Include = append(m.Include, Shard{Name: shardName(t.Slug()), Runner: runners.For(t), list: []Target{t}})
		}
		return m.finish(), nil
	}
	groups := groupByRunner(targets, func(t Target) string { return runners.For(t) })
	if len(groups) > max {
		groups = groupByRunner(targets, func(t Target) string {
			if native(t) {
				return runners.For(t)
			}
			return runners.Default()
		})
	}
	if len(groups) > max {
		var need []string
		for _, g := range groups {
			need = append(need, g.runner)
		}
		return Matrix{}, fmt.Errorf("%d jobs are not enough: cgo targets need native runners %s; allow at least %d shards", max, strings.Join(need, ", "), len(groups))
	}
	// One shard per runner, then each spare shard to the runner with most
	// targets per shard.
	for spare := max - len(groups); spare > 0; spare-- {
		best := -1
		for i, g := range groups {
			if g.shards >= len(g.targets) {
				continue
			}
			if best < 0 || len(g.targets)*groups[best].shards > len(groups[best].targets)*g.shards {
				best = i
			}
		}
		if best < 0 {
			break
		}
		groups[best].shards++
	}
	var m Matrix
	for _, g := range groups {
		for i, chunk := range chunks(g.targets, g.shards) {
			name := g.runner
			if len(chunk) == 1 {
				name = chunk[0].Slug()
			} else if g.shards > 1 {
				name = fmt.Sprintf("%s-%d", g.runner, i+1)
			}
			m.Include = append(m.Include, Shard{Name: shardName(name), Runner: g.runner, list: chunk})
		}
	}
	return m.finish(), nil
}

func (m Matrix) finish() Matrix {
	used := map[string]int{}
	for i, s := range m.Include {
		if n := used[s.Name]; n > 0 {
			m.Include[i].Name = fmt.Sprintf("%s-%d", s.Name, n+1)
		}
		used[s.Name]++
		var ss []string
		for _, t := range s.list {
			ss = append(ss, t.String())
		}
		m.Include[i].Targets = strings.Join(ss, ",")
	}
	return m
}

type runnerGroup struct {
	runner  string
	targets []Target
	shards  int
}

func groupByRunner(ts []Target, runnerOf func(Target) string) []runnerGroup {
	var gs []runnerGroup
	idx := map[string]int{}
	for _, t := range ts {
		r := runnerOf(t)
		i, ok := idx[r]
		if !ok {
			i = len(gs)
			idx[r] = i
			gs = append(gs, runnerGroup{runner: r, shards: 1})
		}
		gs[i].targets = append(gs[i].targets, t)
	}
	return gs
}

// chunks splits ts into n contiguous parts whose sizes differ by at most one.
func chunks(ts []Target, n int) [][]Target {
	var out [][]Target
	for i := 0; i < n; i++ {
		lo, hi := i*len(ts)/n, (i+1)*len(ts)/n
		if hi > lo {
			out = append(out, ts[lo:hi])
		}
	}
	return out
}

var unsafeShardChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// shardName makes a name fit for an artifact name (slipway-dist-<shard>).
func shardName(s string) string {
	return strings.Trim(unsafeShardChars.ReplaceAllString(strings.ReplaceAll(s, "_", "-"), "-"), "-")
}
