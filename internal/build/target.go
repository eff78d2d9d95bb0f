package build

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Target is one GOOS/GOARCH pair with an optional variant (GOARM, GOAMD64, ...).
type Target struct {
	GOOS    string `json:"goos"`
	GOARCH  string `json:"goarch"`
	Variant string `json:"variant,omitempty"`
}

// String is the target's canonical form: "linux/arm/7", "linux/amd64".
func (t Target) String() string {
	s := t.GOOS + "/" + t.GOARCH
	if t.Variant != "" {
		s += "/" + t.Variant
	}
	return s
}

// Slug is the target joined by underscores, as used in dist/ names.
func (t Target) Slug() string { return strings.ReplaceAll(t.String(), "/", "_") }

// Exe is the executable suffix of the target's OS.
func (t Target) Exe() string {
	if t.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

// variantEnv names the environment variable that selects a variant of each
// architecture and the values Go accepts for it.
var variantEnv = map[string]struct {
	name   string
	values []string
}{
	"386":      {"GO386", []string{"sse2", "softfloat"}},
	"amd64":    {"GOAMD64", []string{"v1", "v2", "v3", "v4"}},
	"arm":      {"GOARM", []string{"5", "6", "7", "5,softfloat", "6,softfloat", "7,softfloat", "6,hardfloat", "7,hardfloat"}},
	"arm64":    {"GOARM64", []string{"v8.0", "v8.1", "v8.2", "v8.3", "v8.4", "v8.5", "v8.6", "v8.7", "v8.8", "v8.9", "v9.0", "v9.1", "v9.2", "v9.3", "v9.4", "v9.5"}},
	"mips":     {"GOMIPS", []string{"hardfloat", "softfloat"}},
	"mipsle":   {"GOMIPS", []string{"hardfloat", "softfloat"}},
	"mips64":   {"GOMIPS64", []string{"hardfloat", "softfloat"}},
	"mips64le": {"GOMIPS64", []string{"hardfloat", "softfloat"}},
	"ppc64":    {"GOPPC64", []string{"power8", "power9", "power10"}},
	"ppc64le":  {"GOPPC64", []string{"power8", "power9", "power10"}},
	"riscv64":  {"GORISCV64", []string{"rva20u64", "rva22u64", "rva23u64"}},
}

// Port is one entry of `go tool dist list -json`.
type Port struct {
	GOOS         string `json:"GOOS"`
	GOARCH       string `json:"GOARCH"`
	CgoSupported bool   `json:"CgoSupported"`
	FirstClass   bool   `json:"FirstClass"`
}

// Ports is the list of ports the Go toolchain supports.
type Ports []Port

// LoadPorts asks the go command for its port list.
func LoadPorts(ctx context.Context, r Runner) (Ports, error) {
	out, err := r.Run(ctx, Command{Args: []string{"go", "tool", "dist", "list", "-json"}})
	if err != nil {
		return nil, fmt.Errorf("listing Go ports: %w", err)
	}
	var ps Ports
	if err := json.Unmarshal(out, &ps); err != nil {
		return nil, fmt.Errorf("decoding go tool dist list: %w", err)
	}
	return ps, nil
}

// GoEnv reads the effective value of go env variables (the environment, then
// the go env file that `go env -w` writes), so the settings a user made
// either way reach the build.
func GoEnv(ctx context.Context, r Runner, env []string, dir string, names ...string) (map[string]string, error) {
	out, err := r.Run(ctx, Command{Dir: dir, Env: env, Args: append([]string{"go", "env", "-json"}, names...)})
	if err != nil {
		return nil, fmt.Errorf("reading go env: %w", err)
	}
	vals := map[string]string{}
	if err := json.Unmarshal(out, &vals); err != nil {
		return nil, fmt.Errorf("decoding go env: %w", err)
	}
	return vals, nil
}

func (ps Ports) has(goos, goarch string) bool {
	return slices.ContainsFunc(ps, func(p Port) bool { return p.GOOS == goos && p.GOARCH == goarch })
}

// FirstClass lists the first-class ports in dist-list order.
func (ps Ports) FirstClass() []Target {
	var ts []Target
	for _, p := range ps {
		if p.FirstClass {
			ts = append(ts, Target{GOOS: p.GOOS, GOARCH: p.GOARCH})
		}
	}
	return ts
}

// ParseTarget parses "goos/goarch[/variant]" and checks it against ports.
func ParseTarget(s string, ports Ports) (Target, error) {
	parts := strings.Split(strings.TrimSpace(s), "/")
	if len(parts) < 2 || len(parts) > 3 {
		return Target{}, fmt.Errorf("%q is not goos/goarch or goos/goarch/variant (for example linux/amd64 or linux/arm/7)", s)
	}
	for i, p := range parts {
		if p == "" {
			what := [...]string{"GOOS", "GOARCH", "variant"}[i]
			return Target{}, fmt.Errorf("%q has an empty %s (for example linux/amd64 or linux/arm/7)", s, what)
		}
	}
	t := Target{GOOS: parts[0], GOARCH: parts[1]}
	if !ports.has(t.GOOS, t.GOARCH) {
		return Target{}, fmt.Errorf("%s/%s is not a port of this Go toolchain (see `go tool dist list`)", t.GOOS, t.GOARCH)
	}
	if len(parts) == 3 {
		v, ok := variantEnv[t.GOARCH]
		if !ok {
			return Target{}, fmt.Errorf("%q: GOARCH %s has no variants", s, t.GOARCH)
		}
		if !slices.Contains(v.values, parts[2]) {
			return Target{}, fmt.Errorf("%q: %s must be one of %s", s, v.name, strings.Join(v.values, ", "))
		}
		t.Variant = parts[2]
	}
	return t, nil
}

// ParseTargets parses a target list; "all" expands to every first-class port.
// Duplicates are dropped and reported in dups.
func ParseTargets(list []string, ports Ports) (ts []Target, dups []string, err error) {
	seen := map[Target]bool{}
	add := func(t Target) {
		if seen[t] {
			dups = append(dups, t.String())
			return
		}
		seen[t] = true
		ts = append(ts, t)
	}
	for _, s := range list {
		if strings.EqualFold(strings.TrimSpace(s), "all") {
			for _, t := range ports.FirstClass() {
				add(t)
			}
			continue
		}
		t, err := ParseTarget(s, ports)
		if err != nil {
			return nil, nil, err
		}
		add(t)
	}
	if len(ts) == 0 {
		return nil, nil, fmt.Errorf("no targets given")
	}
	return ts, dups, nil
}
