package modverify

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"

	"github.com/slipway-dev/slipway/internal/build"
)

// Kinds of dependency change.
const (
	ChangeAdded      = "added"
	ChangeRemoved    = "removed"
	ChangeUpgraded   = "upgraded"
	ChangeDowngraded = "downgraded"
)

// Change is one dependency that differs between base-ref and the work tree.
type Change struct {
	Path        string `json:"path"`
	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
	Change      string `json:"change"`
	Direct      bool   `json:"direct"`
	Major       bool   `json:"major,omitempty"`       // another major version (v1 → v2, example.com/m → example.com/m/v2)
	Unexplained bool   `json:"unexplained,omitempty"` // indirect upgrade no dependency asks for
}

// ModuleDiff is the dependency diff of one module.
type ModuleDiff struct {
	Module  string   `json:"module"` // workspace-relative directory
	Base    string   `json:"base"`   // base-ref
	Changes []Change `json:"changes"`
}

type req struct {
	version string
	direct  bool
	line    int
}

func requirements(f *modfile.File) map[string]req {
	out := map[string]req{}
	if f == nil {
		return out
	}
	for _, r := range f.Require {
		line := 0
		if r.Syntax != nil {
			line = r.Syntax.Start.Line
		}
		out[r.Mod.Path] = req{r.Mod.Version, !r.Indirect, line}
	}
	return out
}

// checkDiff compares the requirements of go.mod at base-ref with the work
// tree's: since go 1.17 go.mod lists every module that provides a package,
// direct and indirect. Indirect upgrades are checked against `go mod graph`:
// one that no dependency requires is called out.
func checkDiff(ctx context.Context, j *job, m *Module) ([]Finding, error) {
	out, err := j.d.Runner.Run(ctx, build.Command{Dir: m.Dir, Env: j.base,
		Args: []string{"git", "show", "--end-of-options", j.c.BaseRef + ":./go.mod"}})
	var base *modfile.File
	switch {
	case err == nil:
		if base, err = modfile.ParseLax("go.mod@"+j.c.BaseRef, out, nil); err != nil {
			return nil, fmt.Errorf("parsing go.mod at %s: %w", j.c.BaseRef, err)
		}
	case isExit(err):
		j.a.Infof("%s: no go.mod at %s: every requirement is new", m.Rel, j.c.BaseRef)
	default:
		return nil, fmt.Errorf("reading go.mod at %s: %w", j.c.BaseRef, err)
	}
	before, after := requirements(base), requirements(m.File)
	d := ModuleDiff{Module: m.Rel, Base: j.c.BaseRef, Changes: []Change{}}
	for _, p := range sortedPaths(before, after) {
		b, inB := before[p]
		a, inA := after[p]
		switch {
		case inB && inA && b.version == a.version:
		case !inB:
			d.Changes = append(d.Changes, Change{Path: p, To: a.version, Change: ChangeAdded, Direct: a.direct})
		case !inA:
			d.Changes = append(d.Changes, Change{Path: p, From: b.version, Change: ChangeRemoved, Direct: b.direct})
		default:
			c := Change{Path: p, From: b.version, To: a.version, Change: ChangeUpgraded, Direct: a.direct,
				Major: semver.Major(b.version) != semver.Major(a.version)}
			if semver.Compare(a.version, b.version) < 0 {
				c.Change = ChangeDowngraded
			}
			d.Changes = append(d.Changes, c)
		}
	}
	markMajorPaths(d.Changes)
	if err := markUnexplained(ctx, j, m, after, d.Changes); err != nil {
		return nil, err
	}
	j.diffs = append(j.diffs, d)

	var fs []Finding
	for _, c := range d.Changes {
		line := after[c.Path].line
		if line == 0 {
			line = m.moduleLine()
		}
		subject := c.Path + "@" + c.To
		if c.Major {
			fs = append(fs, newFinding(RuleMajorChange, m, m.GoMod, line, subject,
				"%s: %s against %s", c.Path, describeChange(c), j.c.BaseRef).
				withFix("Review %s's changelog and the call sites; nothing to do if intended.", c.Path))
		}
		if c.Unexplained {
			fs = append(fs, newFinding(RuleUnexplainedUpgrade, m, m.GoMod, line, subject,
				"%s: indirect %s → %s against %s, but no dependency requires %s: only this go.mod's // indirect line asks for it", c.Path, c.From, c.To, j.c.BaseRef, c.To).
				withFix("Revert the line to %s %s, or make the upgrade its own reviewed change (go get %s@%s).", c.Path, c.From, c.Path, c.To))
		}
		if c.Change == ChangeDowngraded {
			fs = append(fs, newFinding(RuleDowngrade, m, m.GoMod, line, subject,
				"%s: downgraded %s → %s against %s", c.Path, c.From, c.To, j.c.BaseRef).
				withFix("Make sure the downgrade is intended and say why in the change."))
		}
	}
	return fs, nil
}

func describeChange(c Change) string {
	switch c.Change {
	case ChangeAdded:
		if c.From != "" {
			return "replaces " + c.From + " with " + c.To
		}
		return "added at " + c.To
	case ChangeRemoved:
		return "removed (was " + c.From + ")"
	}
	return c.Change + " " + c.From + " → " + c.To
}

func sortedPaths(ms ...map[string]req) []string {
	var ps []string
	for _, m := range ms {
		for p := range m {
			ps = append(ps, p)
		}
	}
	slices.Sort(ps)
	return slices.Compact(ps)
}

// markMajorPaths pairs a removed module with an added one at another major
// version path (example.com/m → example.com/m/v2).
func markMajorPaths(cs []Change) {
	for i := range cs {
		if cs[i].Change != ChangeAdded {
			continue
		}
		prefix, _, ok := module.SplitPathVersion(cs[i].Path)
		if !ok {
			continue
		}
		for k := range cs {
			if cs[k].Change != ChangeRemoved {
				continue
			}
			if p, _, ok := module.SplitPathVersion(cs[k].Path); ok && p == prefix {
				cs[i].Major, cs[k].Major = true, true
				cs[i].From = cs[k].Path + "@" + cs[k].From
			}
		}
	}
	// Report the pair once, on the added module.
	for k := range cs {
		if cs[k].Change == ChangeRemoved && cs[k].Major {
			cs[k].Major = false
		}
	}
}

// markUnexplained flags indirect upgrades that no selected dependency
// requires at the new version, reading `go mod graph`.
func markUnexplained(ctx context.Context, j *job, m *Module, after map[string]req, cs []Change) error {
	var todo []int
	for i, c := range cs {
		if c.Change == ChangeUpgraded && !c.Direct {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	env := withEnv(j.base, "GOWORK=off", "GOFLAGS="+modFlags(j.env.Value("GOFLAGS"), "readonly"))
	out, err := goCommand(ctx, j.d.Runner, m.Dir, env, "mod", "graph")
	if err != nil {
		return fmt.Errorf("go mod graph in %s: %w", m.Rel, err)
	}
	required := map[string]bool{} // path@version required by a selected dependency
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		from, fromV, _ := strings.Cut(f[0], "@")
		if fromV == "" || from == m.Path || after[from].version != fromV {
			continue // the main module, or a version the build does not select
		}
		required[f[1]] = true
	}
	for _, i := range todo {
		cs[i].Unexplained = !required[cs[i].Path+"@"+cs[i].To]
	}
	return nil
}
