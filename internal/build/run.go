package build

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
)

// Deps are the build-matrix action's outside world.
type Deps struct {
	Runner  Runner
	Now     func() time.Time // wall clock, for build durations only
	NumCPU  int
	TempDir string // for the reproducibility copy; RUNNER_TEMP wins when set
}

// Run executes the build-matrix action.
func Run(ctx context.Context, a *gha.Action, d Deps) error {
	var ports Ports
	if a.String("mode") != ModeMerge {
		var err error
		if ports, err = LoadPorts(ctx, d.Runner); err != nil {
			return err
		}
	}
	c, err := ParseConfig(a, ports, d.NumCPU)
	if err != nil {
		return err
	}
	if len(c.DupTargets) > 0 {
		a.Annotate(gha.Annotation{Level: gha.LevelNotice, Title: "duplicate targets", Message: "dropped duplicate targets: " + strings.Join(c.DupTargets, ", ")})
	}
	switch c.Mode {
	case ModePlan:
		return runPlan(a, c)
	case ModeMerge:
		return runMerge(ctx, a, c)
	}
	return runBuild(ctx, a, c, d)
}

func runPlan(a *gha.Action, c Config) error {
	m, err := Plan(c.Targets, c.Runners, c.CGO, c.Shards)
	if err != nil {
		return gha.Usagef("shards", "%v", err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := a.Summary(PlanSummary(m)); err != nil {
		return err
	}
	return a.SetOutput("matrix", string(b))
}

// plan returns the targets of this build: all of them, or one shard's.
func (c Config) plan() ([]Target, error) {
	if c.Shard == "" {
		return c.Targets, nil
	}
	m, err := Plan(c.Targets, c.Runners, c.CGO, c.Shards)
	if err != nil {
		return nil, gha.Usagef("shards", "%v", err)
	}
	s, ok := m.Shard(c.Shard)
	if !ok {
		return nil, gha.Usagef("shard", "%q is not a shard of the plan for these targets (shards: %s); pass the same targets, runners, shards and cgo inputs as the plan step", c.Shard, strings.Join(m.Names(), ", "))
	}
	return s.TargetList(), nil
}

func runBuild(ctx context.Context, a *gha.Action, c Config, d Deps) error {
	targets, err := c.plan()
	if err != nil {
		return err
	}
	mod, err := ReadModule(c.ModuleDir)
	if errors.Is(err, ErrNoGoMod) {
		return gha.Usagef("module-dir", "%s has no go.mod: point module-dir at the module to build", gha.RelPath(c.Workspace, c.ModuleDir))
	} else if err != nil {
		return err
	}
	var prev *manifest.Manifest
	if c.PreviousManifest != "" {
		if prev, err = manifest.Load(c.PreviousManifest); err != nil {
			return gha.Usagef("previous-manifest", "%v", err)
		}
	}
	end := a.Group("Resolving the source")
	src, mains, err := resolveSource(ctx, a, &c, d, mod, targets[0])
	if err != nil {
		end()
		return err
	}
	if src.Dirty {
		a.Warnf("the work tree has uncommitted changes: binaries are stamped as modified and will not match a clean build of %s", src.Commit)
	}
	p, err := newPipeline(c, mod, src, mains, targets)
	end()
	if err != nil {
		return err
	}
	a.Infof("building %s %s (%s) for %d targets", p.project.Name, src.Version, shortSHA(src.Commit), len(targets))

	end = a.Group("Compiling")
	out, err := p.run(ctx, a, d, pipelineDirs{module: mod.Dir, dist: c.Dist, workspace: c.Workspace})
	end()
	if err != nil {
		return err
	}
	if err := saveManifest(c.Dist, out.manifest); err != nil {
		return err
	}
	var findings []string
	rows := SummaryRows(out, prev)
	if over := OverBudget(rows, c.SizeBudget); len(over) > 0 {
		for _, o := range over {
			level := gha.LevelError
			if c.BudgetWarnOnly {
				level = gha.LevelWarning
			}
			a.Annotate(gha.Annotation{Level: level, Title: "size budget", Message: o})
		}
		if !c.BudgetWarnOnly {
			findings = append(findings, fmt.Sprintf("%d binaries grew more than the %d%% size budget", len(over), c.SizeBudget))
		}
	}
	if len(out.failed) == 0 && c.Reproducible {
		end = a.Group("Verifying reproducibility")
		diffs, err := p.verifyReproducible(ctx, a, d, out)
		end()
		if err != nil {
			return err
		}
		if len(diffs) > 0 {
			for _, df := range diffs {
				a.Annotate(gha.Annotation{Level: gha.LevelError, Title: "not reproducible", Message: df})
			}
			findings = append(findings, fmt.Sprintf("%d artifacts differ when rebuilt at another path with an empty GOCACHE", len(diffs)))
		} else {
			a.Infof("reproducible: %d artifacts rebuilt byte for byte", len(out.manifest.Artifacts))
		}
	}
	if err := a.Summary(BuildSummary(p.project, rows, out.failed, c.SizeBudget)); err != nil {
		return err
	}
	if err := setBuildOutputs(a, c, out.manifest); err != nil {
		return err
	}
	if len(out.failed) > 0 {
		return fmt.Errorf("%d of %d targets failed to build: %s", len(out.failed), len(targets), strings.Join(out.failed, ", "))
	}
	if len(findings) > 0 {
		return gha.Findingsf("%s", strings.Join(findings, "; "))
	}
	return nil
}

// resolveSource reads the commit and version (git) while the go command
// resolves GOFLAGS and the main packages: they do not depend on each other.
// It sets c.GOFLAGS.
func resolveSource(ctx context.Context, a *gha.Action, c *Config, d Deps, mod Module, host Target) (Source, []Package, error) {
	var src Source
	var srcErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		src, srcErr = ReadSource(ctx, d.Runner, a.Getenv, mod.Dir, mod.Path, c.Version)
	}()
	mains, err := func() ([]Package, error) {
		c.GOFLAGS = a.Getenv("GOFLAGS")
		if c.GOFLAGS == "" {
			vals, err := GoEnv(ctx, d.Runner, Inherited(a.Getenv), mod.Dir, "GOFLAGS")
			if err != nil {
				return nil, err
			}
			c.GOFLAGS = vals["GOFLAGS"]
		}
		env := Environ(a.Getenv, host, EnvOptions{Vendor: mod.Vendor, Extra: c.Env, GOFLAGS: c.GOFLAGS})
		mains, err := ListMains(ctx, d.Runner, env, mod, c.Mains)
		if err != nil {
			return nil, gha.Usagef("main", "%v", err)
		}
		return mains, nil
	}()
	<-done
	switch {
	case srcErr != nil:
		return src, nil, gha.Usagef("version", "%v", srcErr)
	case err != nil:
		return src, nil, err
	}
	return src, mains, nil
}

func setBuildOutputs(a *gha.Action, c Config, m *manifest.Manifest) error {
	arts, err := json.Marshal(m.Artifacts)
	if err != nil {
		return err
	}
	outs := [][2]string{
		{"manifest", gha.RelPath(c.Workspace, filepath.Join(c.Dist, manifest.FileName))},
		{"artifacts", string(arts)},
		{"version", m.Project.Version},
	}
	if cs := m.ByKind(manifest.KindChecksums); len(cs) > 0 {
		outs = append(outs, [2]string{"checksums", gha.RelPath(c.Workspace, filepath.Join(c.Dist, filepath.FromSlash(cs[0].Path)))})
	}
	for _, o := range outs {
		if err := a.SetOutput(o[0], o[1]); err != nil {
			return err
		}
	}
	return nil
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	if s == "" {
		return "no commit"
	}
	return s
}
