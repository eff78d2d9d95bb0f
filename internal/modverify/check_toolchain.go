package modverify

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

var goVersionRE = regexp.MustCompile(`^(\d+)\.(\d+)(?:\.(\d+)|(rc|beta)(\d+))?$`)

// goSemver maps a Go version (1.21, 1.21rc1, 1.21.3, go1.21.3) onto semver
// so that semver.Compare orders it as the go command does:
// 1.21 < 1.21rc1 < 1.21.0 < 1.21.3. It returns "" for anything else
// (a devel version).
func goSemver(v string) string {
	m := goVersionRE.FindStringSubmatch(strings.TrimPrefix(v, "go"))
	switch {
	case m == nil:
		return ""
	case m[3] != "":
		return fmt.Sprintf("v%s.%s.%s", m[1], m[2], m[3])
	case m[4] != "":
		return fmt.Sprintf("v%s.%s.0-%s%s", m[1], m[2], m[4], m[5])
	}
	return fmt.Sprintf("v%s.%s.0-0", m[1], m[2])
}

// compareGo compares two Go versions; ok is false when either is not one.
func compareGo(a, b string) (c int, ok bool) {
	sa, sb := goSemver(a), goSemver(b)
	if sa == "" || sb == "" {
		return 0, false
	}
	return semver.Compare(sa, sb), true
}

// goLineTooNew reports whether the go line needs a newer Go than the runner's.
func goLineTooNew(f *modfile.File, runner string) bool {
	if f == nil || f.Go == nil {
		return false
	}
	c, ok := compareGo(f.Go.Version, runner)
	return ok && c > 0
}

// checkToolchain compares the go and toolchain lines with the Go that runs
// the job.
func checkToolchain(_ context.Context, j *job, m *Module) ([]Finding, error) {
	var goLine, tc string
	var goAt, tcAt int
	if m.File.Go != nil {
		goLine, goAt = m.File.Go.Version, m.File.Go.Syntax.Start.Line
	}
	if m.File.Toolchain != nil {
		tc, tcAt = m.File.Toolchain.Name, m.File.Toolchain.Syntax.Start.Line
	}
	return toolchainFindings(j, m, m.GoMod, m.Rel, goLine, goAt, tc, tcAt, m.moduleLine()), nil
}

func toolchainFindings(j *job, m *Module, file, dir, goLine string, goAt int, tc string, tcAt, modAt int) []Finding {
	runner := j.goVersion
	gt := j.env.Get("GOTOOLCHAIN")
	mode := gt.Value
	if mode == "" {
		mode = "auto"
	}
	edit := "go mod edit"
	if strings.HasSuffix(file, "go.work") {
		edit = "go work edit"
	}
	var fs []Finding
	if goLine == "" {
		return append(fs, newFinding(RuleNoGoLine, m, file, modAt, "",
			"%s has no go line, so the go command assumes go 1.16 (no module graph pruning, old language semantics)", file).
			withFix("Run `%s -go=%s` in `%s`.", edit, strings.TrimPrefix(runner, "go"), dir))
	}
	if c, ok := compareGo(goLine, runner); ok && c > 0 {
		effect := "the go command downloads and runs go" + goLine + " instead of the runner's Go"
		if strings.HasPrefix(mode, "local") {
			effect = "every go command fails (\"requires go >= " + goLine + "\")"
		}
		fs = append(fs, newFinding(RuleGoLineNewer, m, file, goAt, "go "+goLine,
			"go %s needs Go %s or newer, but the runner has %s; with GOTOOLCHAIN=%s (%s) %s", goLine, goLine, runner, mode, gt.Source, effect).
			withFix("Set up Go %s on the runner (actions/setup-go with go-version-file: %s), or lower the line: `%s -go=%s` in `%s`.", goLine, file, edit, strings.TrimPrefix(runner, "go"), dir))
	}
	if tc == "" || tc == "default" {
		return fs
	}
	tcv := strings.TrimPrefix(tc, "go")
	if c, ok := compareGo(tcv, goLine); ok && c < 0 {
		fs = append(fs, newFinding(RuleToolchainOlder, m, file, tcAt, "toolchain "+tc,
			"toolchain %s is older than go %s, so the go command ignores it", tc, goLine).
			withFix("Run `%s -toolchain=none` in `%s`, or raise it: `%s -toolchain=go%s`.", edit, dir, edit, goLine))
		return fs
	}
	if c, ok := compareGo(tcv, runner); ok && c > 0 {
		effect := "the go command switches to a downloaded " + tc + ", not the Go set up for the job"
		if strings.HasPrefix(mode, "local") {
			effect = "the line is ignored and the build uses " + runner
		}
		fs = append(fs, newFinding(RuleToolchainNewer, m, file, tcAt, "toolchain "+tc,
			"toolchain %s is newer than the runner's %s; with GOTOOLCHAIN=%s (%s) %s", tc, runner, mode, gt.Source, effect).
			withFix("Set up %s on the runner (actions/setup-go with go-version: %s), or drop the line: `%s -toolchain=none` in `%s`.", tc, tcv, edit, dir))
	}
	return fs
}
