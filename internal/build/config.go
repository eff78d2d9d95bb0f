package build

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/gha"
)

// Config is the build-matrix action's input, parsed and checked.
type Config struct {
	Mode             string
	Workspace        string // absolute
	ModuleDir        string // absolute
	Dist             string // absolute, inside Workspace
	Mains            []string
	Binaries         []string
	Targets          []Target
	DupTargets       []string
	Runners          RunnerMap
	Shards           int
	Shard            string
	Version          string
	Ldflags          string
	Flags            []string
	Tags             []string
	LinkVars         []LinkVar
	DetectLinkVars   bool // link-vars not given: detect in each main package
	Env              []string
	CGOAll           bool
	CGOTargets       []Target
	Parallelism      int
	Archives         string
	ExtraFiles       []string
	ExtraFilesGiven  bool
	Checksums        string
	PreviousManifest string // absolute or ""
	SizeBudget       int
	BudgetWarnOnly   bool
	Reproducible     bool
	Inputs           []string // merge: absolute paths or globs
	GOFLAGS          string   // effective GOFLAGS, read when building
}

// CGO reports whether t is built with cgo.
func (c Config) CGO(t Target) bool { return c.CGOAll || slices.Contains(c.CGOTargets, t) }

// ParseConfig reads the action's inputs. ports validates targets; numCPU is
// the parallelism default.
func ParseConfig(a *gha.Action, ports Ports, numCPU int) (Config, error) {
	c := Config{
		Mode:           a.String("mode"),
		Workspace:      a.Workspace(),
		Mains:          a.List("main"),
		Binaries:       a.List("binary"),
		Shards:         a.Int("shards"),
		Shard:          a.String("shard"),
		Version:        a.String("version"),
		Ldflags:        a.String("ldflags"),
		Tags:           a.List("tags"),
		Parallelism:    a.Int("parallelism"),
		Archives:       a.String("archives"),
		ExtraFiles:     a.List("extra-files"),
		Checksums:      a.String("checksums"),
		SizeBudget:     a.Int("size-budget"),
		BudgetWarnOnly: a.Bool("size-budget-warn-only"),
		Reproducible:   a.Bool("verify-reproducible"),
	}
	if !slices.Contains([]string{ModePlan, ModeBuild, ModeMerge}, c.Mode) {
		return c, gha.Usagef("mode", "%q is not plan, build or merge", c.Mode)
	}
	var err error
	if c.Dist, err = gha.InsideWorkspace(c.Workspace, a.String("dist"), false); err != nil {
		return c, gha.Usagef("dist", "%v", err)
	}
	c.ModuleDir = gha.ResolvePath(c.Workspace, a.String("module-dir"))
	if c.Mode != ModeMerge {
		if err := c.parseTargets(a, ports); err != nil {
			return c, err
		}
	}
	if c.Flags, err = SplitFlags(a.String("flags")); err != nil {
		return c, gha.Usagef("flags", "%v", err)
	}
	for _, f := range c.Flags {
		if f == "-o" || strings.HasPrefix(f, "-o=") || !strings.HasPrefix(f, "-") {
			return c, gha.Usagef("flags", "%q: only go build flags are allowed here, and not -o (binaries go to dist)", f)
		}
	}
	if lv := a.List("link-vars"); len(lv) == 1 && lv[0] == "none" {
		c.LinkVars = nil
	} else if len(lv) > 0 {
		if c.LinkVars, err = ParseLinkVars(lv); err != nil {
			return c, gha.Usagef("link-vars", "%v", err)
		}
	} else {
		c.DetectLinkVars = true
	}
	if c.Env, err = ParseEnv(a.List("env")); err != nil {
		return c, gha.Usagef("env", "%v", err)
	}
	if c.Version != "" {
		if err := CheckVersion(strings.TrimPrefix(c.Version, "v")); err != nil {
			return c, gha.Usagef("version", "%v", err)
		}
	}
	for _, b := range c.Binaries {
		if err := CheckBinary(b); err != nil {
			return c, gha.Usagef("binary", "%v", err)
		}
	}
	if len(c.Binaries) > 0 && len(c.Binaries) != len(c.Mains) {
		return c, gha.Usagef("binary", "%d names for %d main packages: give one per main package, in the same order", len(c.Binaries), len(c.Mains))
	}
	if len(c.Mains) == 0 {
		return c, gha.Usagef("main", "no main package given")
	}
	if c.Parallelism < 0 {
		return c, gha.Usagef("parallelism", "%d is negative", c.Parallelism)
	}
	if c.Parallelism == 0 {
		c.Parallelism = numCPU
	}
	if c.Shards < 0 {
		return c, gha.Usagef("shards", "%d is negative", c.Shards)
	}
	if !slices.Contains([]string{FormatAuto, FormatTarGz, FormatZip, FormatNone}, c.Archives) {
		return c, gha.Usagef("archives", "%q is not auto, tar.gz, zip or none", c.Archives)
	}
	if !slices.Contains([]string{ChecksumSHA256, ChecksumSHA512, ChecksumNone}, c.Checksums) {
		return c, gha.Usagef("checksums", "%q is not sha256, sha512 or none", c.Checksums)
	}
	c.ExtraFilesGiven = len(c.ExtraFiles) > 0
	if !c.ExtraFilesGiven {
		c.ExtraFiles = []string{"LICENSE*", "README*"}
	}
	for _, g := range c.ExtraFiles {
		if _, err := filepath.Match(g, ""); err != nil || filepath.IsAbs(g) || slices.Contains(strings.Split(filepath.ToSlash(g), "/"), "..") {
			return c, gha.Usagef("extra-files", "%q is not a glob relative to module-dir", g)
		}
	}
	if c.SizeBudget < 0 {
		return c, gha.Usagef("size-budget", "%d is negative", c.SizeBudget)
	}
	if p := a.String("previous-manifest"); p != "" {
		c.PreviousManifest = gha.ResolvePath(c.Workspace, p)
	}
	for _, in := range a.List("inputs") {
		c.Inputs = append(c.Inputs, gha.ResolvePath(c.Workspace, in))
	}
	if c.Mode == ModeMerge && len(c.Inputs) == 0 {
		return c, gha.Usagef("inputs", "merge needs the shard directories or manifests to merge")
	}
	return c, nil
}

func (c *Config) parseTargets(a *gha.Action, ports Ports) error {
	var err error
	if c.Targets, c.DupTargets, err = ParseTargets(a.List("targets"), ports); err != nil {
		return gha.Usagef("targets", "%v", err)
	}
	if c.Runners, err = ParseRunners(a.List("runners")); err != nil {
		return gha.Usagef("runners", "%v", err)
	}
	for _, s := range a.List("cgo") {
		if strings.EqualFold(s, "all") {
			c.CGOAll = true
			continue
		}
		t, err := ParseTarget(s, ports)
		if err != nil {
			return gha.Usagef("cgo", "%v", err)
		}
		c.CGOTargets = append(c.CGOTargets, t)
	}
	return nil
}
