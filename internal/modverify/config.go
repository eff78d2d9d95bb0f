package modverify

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/gha"
)

// Config is the verify-mod action's input, parsed and checked.
type Config struct {
	Workspace    string   // absolute
	All          bool     // module-dir: all
	ModuleDirs   []string // absolute; empty with All
	Checks       []string // in run order
	FailOn       string
	AllowReplace []string
	BaseRef      string // "" → the diff check is skipped
	BaseRefFrom  string // where BaseRef came from: "base-ref" or "GITHUB_BASE_REF"
	SumDB        string // the sumdb input as given; "" → GOSUMDB, else sum.golang.org
	SumDBCache   string // absolute
	SARIF        string // absolute, or ""
	Dist         string // absolute, inside Workspace
}

// Runs reports whether the check is selected.
func (c Config) Runs(check string) bool { return slices.Contains(c.Checks, check) }

// ParseConfig reads the action's inputs. userCacheDir is the fallback home of
// the sumdb cache (os.UserCacheDir in main).
func ParseConfig(a *gha.Action, userCacheDir string) (Config, error) {
	c := Config{
		Workspace:    a.Workspace(),
		FailOn:       a.String("fail-on"),
		AllowReplace: a.List("allow-replace"),
		SumDB:        a.String("sumdb"),
	}
	var err error
	if c.Checks, err = ParseChecks(a.List("checks")); err != nil {
		return c, gha.Usagef("checks", "%v", err)
	}
	if !slices.Contains([]string{FailOnError, FailOnWarning, FailOnNone}, c.FailOn) {
		return c, gha.Usagef("fail-on", "%q is not error, warning or none", c.FailOn)
	}
	dirs := a.List("module-dir")
	if len(dirs) == 0 {
		return c, gha.Usagef("module-dir", "no directory given: give one or more module directories, or all")
	}
	for _, d := range dirs {
		if strings.EqualFold(d, "all") {
			if len(dirs) > 1 {
				return c, gha.Usagef("module-dir", "all finds every module: give it alone, not with %s", strings.Join(slices.DeleteFunc(slices.Clone(dirs), func(s string) bool { return strings.EqualFold(s, "all") }), ", "))
			}
			c.All = true
			break
		}
		abs, err := gha.InsideWorkspace(c.Workspace, d, true)
		if err != nil {
			return c, gha.Usagef("module-dir", "%v", err)
		}
		if !slices.Contains(c.ModuleDirs, abs) {
			c.ModuleDirs = append(c.ModuleDirs, abs)
		}
	}
	for _, p := range c.AllowReplace {
		if strings.ContainsAny(p, " \t") || strings.Contains(p, ",") {
			return c, gha.Usagef("allow-replace", "%q is not a module path pattern", p)
		}
		if _, err := filepath.Match(p, ""); err != nil {
			return c, gha.Usagef("allow-replace", "%q: %v", p, err)
		}
	}
	c.BaseRef, c.BaseRefFrom = a.String("base-ref"), "base-ref"
	if c.BaseRef == "" && a.InActions() && a.Getenv("GITHUB_BASE_REF") != "" {
		c.BaseRef, c.BaseRefFrom = "origin/"+a.Getenv("GITHUB_BASE_REF"), "GITHUB_BASE_REF"
	}
	if strings.HasPrefix(c.BaseRef, "-") || strings.ContainsAny(c.BaseRef, " \t\n:") {
		return c, gha.Usagef("base-ref", "%q is not a git ref", c.BaseRef)
	}
	if c.SumDB != "" {
		if _, err := ParseGOSUMDB(c.SumDB); err != nil {
			return c, gha.Usagef("sumdb", "%v", err)
		}
	}
	switch {
	case a.String("sumdb-cache") != "":
		c.SumDBCache = gha.ResolvePath(c.Workspace, a.String("sumdb-cache"))
	case a.Getenv("RUNNER_TEMP") != "":
		c.SumDBCache = filepath.Join(gha.ResolvePath(c.Workspace, a.Getenv("RUNNER_TEMP")), "slipway-sumdb")
	case userCacheDir != "":
		c.SumDBCache = filepath.Join(userCacheDir, "slipway", "sumdb")
	default:
		return c, gha.Usagef("sumdb-cache", "no RUNNER_TEMP and no user cache directory: give a directory")
	}
	if p := a.String("sarif"); p != "" {
		c.SARIF = gha.ResolvePath(c.Workspace, p)
		if strings.HasSuffix(p, "/") || strings.HasSuffix(p, string(filepath.Separator)) {
			return c, gha.Usagef("sarif", "%q is a directory: give a file path such as verify-mod.sarif", p)
		}
	}
	if c.Dist, err = gha.InsideWorkspace(c.Workspace, a.String("dist"), false); err != nil {
		return c, gha.Usagef("dist", "%v", err)
	}
	return c, nil
}

// ParseChecks expands all and -name items into the checks to run, in run
// order. Unknown names are an error listing the valid ones.
func ParseChecks(items []string) ([]string, error) {
	if len(items) == 0 {
		return nil, fmt.Errorf("no check given: give all or some of %s", strings.Join(allChecks, ", "))
	}
	want := map[string]bool{}
	for _, it := range items {
		name, drop := strings.CutPrefix(strings.ToLower(it), "-")
		switch {
		case name == "all" && !drop:
			for _, c := range allChecks {
				want[c] = true
			}
		case slices.Contains(allChecks, name):
			want[name] = !drop
		default:
			return nil, fmt.Errorf("%q is not a check: valid checks are all, %s (prefix - to leave one out)", it, strings.Join(allChecks, ", "))
		}
	}
	var out []string
	for _, c := range allChecks {
		if want[c] {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s leaves no check to run", strings.Join(items, ","))
	}
	return out, nil
}
