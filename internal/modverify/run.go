package modverify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/build"
	"github.com/slipway-dev/slipway/internal/gha"
)

// Deps are the verify-mod action's outside world.
type Deps struct {
	Runner       build.Runner
	HTTP         *http.Client // for the checksum database
	UserCacheDir string       // os.UserCacheDir: the sumdb cache's fallback home
	TempDir      string       // scratch space when RUNNER_TEMP is unset
	SumDBRetry   RetryPolicy
	Concurrency  int // concurrent checksum database lookups
}

// job is one run of the action: the inputs, the outside world and what the
// checks share.
type job struct {
	a         *gha.Action
	c         Config
	d         Deps
	env       *GoEnv
	base      []string // environment of go and git commands
	goVersion string   // the runner's Go: "go1.26.8"
	modcache  string
	tmp       string

	sumdb *SumDBStats  // set by the sumdb check
	tidy  [][2]string  // module, go mod tidy -diff output
	diffs []ModuleDiff // set by the diff check
	ran   []string     // checks that ran
	notes []string     // why checks were skipped, for the summary
}

// Run executes the verify-mod action.
func Run(ctx context.Context, a *gha.Action, d Deps) error {
	c, err := ParseConfig(a, d.UserCacheDir)
	if err != nil {
		return err
	}
	j := &job{a: a, c: c, d: d, base: baseEnv(a.Getenv)}
	if d.HTTP == nil {
		j.d.HTTP = http.DefaultClient
	}
	if j.d.SumDBRetry.Attempts <= 0 {
		j.d.SumDBRetry = RetryPolicy{Attempts: 4, Base: 500 * time.Millisecond}
	}

	end := a.Group("Reading modules")
	mods, work, err := LoadModules(c.Workspace, c.ModuleDirs, c.All)
	end()
	var pe *ParseError
	switch {
	case errors.Is(err, ErrNoGoMod):
		return gha.Usagef("module-dir", "%v: point module-dir at a directory holding a go.mod, or use all", err)
	case errors.As(err, &pe):
		for _, f := range pe.Findings {
			a.Annotate(f.Annotation())
		}
		return gha.Usagef("module-dir", "cannot parse %v", pe)
	case err != nil:
		return err
	}
	tmpRoot := d.TempDir
	if rt := a.Getenv("RUNNER_TEMP"); rt != "" {
		tmpRoot = gha.ResolvePath(c.Workspace, rt)
	}
	if j.tmp, err = os.MkdirTemp(tmpRoot, "verify-mod-"); err != nil {
		return fmt.Errorf("making a scratch directory: %w", err)
	}
	defer os.RemoveAll(j.tmp)

	if j.env, err = ReadGoEnv(ctx, d.Runner, a.Getenv, mods[0].Dir); err != nil {
		return err
	}
	j.goVersion = j.env.Value("GOVERSION")
	j.modcache = j.env.Value("GOMODCACHE")
	for _, m := range mods {
		m.goTooNew = goLineTooNew(m.File, j.goVersion)
	}
	names := make([]string, len(mods))
	for i, m := range mods {
		names[i] = m.Rel
	}
	a.Infof("checking %d modules (%s) with %s: %s", len(mods), strings.Join(names, ", "), j.goVersion, strings.Join(c.Checks, ", "))

	if c.Runs(CheckDiff) && c.BaseRef != "" {
		if err := checkBaseRef(ctx, j, mods[0].Dir); err != nil {
			return err
		}
	}
	findings, err := runChecks(ctx, j, mods, work)
	if err != nil {
		return err
	}
	sortFindings(findings)
	return report(ctx, j, mods, work, findings)
}

// runChecks runs the selected checks in order.
func runChecks(ctx context.Context, j *job, mods []*Module, work *Work) ([]Finding, error) {
	var all []Finding
	for _, check := range j.c.Checks {
		end := j.a.Group("Check: " + check)
		fs, err := runCheck(ctx, j, check, mods, work)
		end()
		if err != nil {
			return nil, fmt.Errorf("%s check: %w", check, err)
		}
		all = append(all, fs...)
	}
	return all, nil
}

func runCheck(ctx context.Context, j *job, check string, mods []*Module, work *Work) ([]Finding, error) {
	perModule := map[string]func(context.Context, *job, *Module) ([]Finding, error){
		CheckVerify:           checkVerify,
		CheckTidy:             checkTidy,
		CheckVendor:           checkVendor,
		CheckReplace:          checkReplace,
		CheckToolchain:        checkToolchain,
		CheckRetracted:        checkRetracted,
		CheckBuildConstraints: checkBuildConstraints,
		CheckDiff:             checkDiff,
	}
	needsGo := map[string]bool{CheckVerify: true, CheckTidy: true, CheckVendor: true, CheckRetracted: true, CheckDiff: true}
	var fs []Finding
	switch check {
	case CheckEnvironment:
		j.ran = append(j.ran, check)
		return checkEnvironment(j, mods, work), nil
	case CheckSumDB:
		var targets []sumTarget
		for _, m := range mods {
			if m.Sum != nil {
				targets = append(targets, sumTarget{m, m.Sum})
			}
		}
		if work != nil && work.Sum != nil {
			targets = append(targets, sumTarget{nil, work.Sum})
		}
		if len(targets) == 0 {
			j.skip(check, "no go.sum to check")
			return nil, nil
		}
		j.ran = append(j.ran, check)
		return checkSumDB(ctx, j, targets)
	case CheckDiff:
		if j.c.BaseRef == "" {
			j.skip(check, "no base-ref (and not a pull request): nothing to diff against")
			j.a.Annotate(gha.Annotation{Level: gha.LevelNotice, Title: "verify-mod diff skipped",
				Message: "the diff check needs base-ref (in a pull request it defaults to origin/<GITHUB_BASE_REF>); skipped"})
			return nil, nil
		}
	}
	fn := perModule[check]
	ran := false
	for _, m := range mods {
		if needsGo[check] && m.goTooNew {
			j.skip(check, fmt.Sprintf("%s: its go line needs a newer Go than %s (SLW-MOD-050)", m.Rel, j.goVersion))
			continue
		}
		more, err := fn(ctx, j, m)
		if err != nil {
			return nil, err
		}
		fs = append(fs, more...)
		ran = true
	}
	if check == CheckVerify && work != nil && work.Sum != nil {
		more, err := verifySumFile(ctx, j, nil, work.Sum)
		if err != nil {
			return nil, err
		}
		fs = append(fs, more...)
	}
	if (check == CheckReplace || check == CheckToolchain) && work != nil && work.Work != nil {
		fs = append(fs, checkWork(j, check, work)...)
	}
	if ran {
		j.ran = append(j.ran, check)
	}
	return fs, nil
}

func (j *job) addTidyDiff(mod, diff string) { j.tidy = append(j.tidy, [2]string{mod, diff}) }

func (j *job) skip(check, why string) {
	j.notes = append(j.notes, check+": skipped: "+why)
	j.a.Infof("%s: skipped: %s", check, why)
}

// report annotates, summarises and writes the outputs, SARIF and manifest,
// then decides the exit code.
func report(ctx context.Context, j *job, mods []*Module, work *Work, fs []Finding) error {
	for _, f := range fs {
		j.a.Annotate(f.Annotation())
	}
	bad := failing(fs, j.c.FailOn)
	passed := len(bad) == 0
	if err := j.a.Summary(summary(j, mods, fs, passed)); err != nil {
		return err
	}
	out, err := json.Marshal(nonNil(fs))
	if err != nil {
		return err
	}
	outputs := [][2]string{{"findings", string(out)}, {"passed", fmt.Sprint(passed)}}
	if j.c.SARIF != "" {
		if err := WriteSARIF(j.c.SARIF, j.c.Workspace, fs); err != nil {
			return err
		}
		outputs = append(outputs, [2]string{"sarif", gha.RelPath(j.c.Workspace, j.c.SARIF)})
	}
	if j.diffs != nil {
		b, err := json.Marshal(j.diffs)
		if err != nil {
			return err
		}
		outputs = append(outputs, [2]string{"diff", string(b)})
	}
	mpath, err := writeManifest(ctx, j, mods, work, fs, passed)
	if err != nil {
		return err
	}
	outputs = append(outputs, [2]string{"manifest", gha.RelPath(j.c.Workspace, mpath)})
	for _, o := range outputs {
		if err := j.a.SetOutput(o[0], o[1]); err != nil {
			return err
		}
	}
	c := countFindings(fs)
	if !passed {
		return gha.Findingsf("%d findings at or above fail-on=%s (%d errors, %d warnings, %d notices)", len(bad), j.c.FailOn, c.Error, c.Warning, c.Notice)
	}
	j.a.Infof("verify-mod passed: %d errors, %d warnings, %d notices (fail-on=%s)", c.Error, c.Warning, c.Notice, j.c.FailOn)
	return nil
}

func nonNil(fs []Finding) []Finding {
	if fs == nil {
		return []Finding{}
	}
	return fs
}

// checkBaseRef makes sure base-ref names a commit, before any check runs.
func checkBaseRef(ctx context.Context, j *job, dir string) error {
	_, err := j.d.Runner.Run(ctx, build.Command{Dir: dir, Env: j.base,
		Args: []string{"git", "rev-parse", "--verify", "--quiet", "--end-of-options", j.c.BaseRef + "^{commit}"}})
	if err == nil {
		return nil
	}
	if isExit(err) {
		hint := "fetch it first (actions/checkout with fetch-depth: 0)"
		if j.c.BaseRefFrom == "GITHUB_BASE_REF" {
			hint = "the pull request's base branch is not fetched: use actions/checkout with fetch-depth: 0"
		}
		return gha.Usagef("base-ref", "%q is not a commit in this repository: %s", j.c.BaseRef, hint)
	}
	return fmt.Errorf("resolving base-ref: %w", err)
}

// sarifInDist reports whether the SARIF file lies inside dist.
func sarifInDist(c Config) (string, bool) {
	if c.SARIF == "" {
		return "", false
	}
	rel, err := filepath.Rel(c.Dist, c.SARIF)
	if err != nil || !filepath.IsLocal(rel) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}
