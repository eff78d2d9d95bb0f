package modverify

import (
	"context"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/slipway-dev/slipway/internal/gha"
)

// checkReplace reports replace directives (local paths are errors, module
// replacements warnings, unless allow-replace matches) and the exclude and
// retract directives of go.mod.
func checkReplace(_ context.Context, j *job, m *Module) ([]Finding, error) {
	fs := replaceFindings(j, m, m.GoMod, m.Dir, m.File.Replace)
	for _, e := range m.File.Exclude {
		fs = append(fs, newFinding(RuleExclude, m, m.GoMod, e.Syntax.Start.Line, e.Mod.String(),
			"exclude %s %s: the build silently uses another version of %s, and only when %s is the main module", e.Mod.Path, e.Mod.Version, e.Mod.Path, m.Path).
			withFix("Require a version of %s above %s instead; if the exclude stays, say why in a comment.", e.Mod.Path, e.Mod.Version))
	}
	for _, r := range m.File.Retract {
		what := r.Low
		if r.High != r.Low {
			what = "[" + r.Low + ", " + r.High + "]"
		}
		why := r.Rationale
		if why == "" {
			why = "no reason given"
		}
		fs = append(fs, newFinding(RuleRetractDirective, m, m.GoMod, r.Syntax.Start.Line, m.Path+"@"+r.Low,
			"retract %s of %s (%s): users of those versions are told to upgrade once this version is published", what, m.Path, why))
	}
	return fs, nil
}

// replaceFindings checks the replace directives of a go.mod or go.work in dir.
func replaceFindings(j *job, m *Module, file, dir string, reps []*modfile.Replace) []Finding {
	allow := strings.Join(j.c.AllowReplace, ",")
	var fs []Finding
	for _, r := range reps {
		if allow != "" && module.MatchPrefixPatterns(allow, r.Old.Path) {
			continue
		}
		old := r.Old.Path
		if r.Old.Version != "" {
			old += " " + r.Old.Version
		}
		line := r.Syntax.Start.Line
		if r.New.Version == "" {
			where := "a directory"
			if target := gha.ResolvePath(dir, filepath.FromSlash(r.New.Path)); gha.RelPath(j.c.Workspace, target) == filepath.ToSlash(target) {
				where = "a directory outside the workspace"
			}
			fs = append(fs, newFinding(RuleLocalReplace, m, file, line, r.Old.Path,
				"replace %s => %s points at %s: it builds only where that directory exists, and `go install %s@VERSION` ignores it", old, r.New.Path, where, pathOr(m)).
				withFix("Remove the replace and require a published version of %s, or add %s to allow-replace if %s is part of this repository.", r.Old.Path, r.Old.Path, r.New.Path))
			continue
		}
		fs = append(fs, newFinding(RuleModuleReplace, m, file, line, r.Old.Path,
			"replace %s => %s %s: the build uses other code than the requirement names, and modules that depend on this one do not see the replace", old, r.New.Path, r.New.Version).
			withFix("Require the version you need directly (go get %s@VERSION) and drop the replace, or add %s to allow-replace.", r.Old.Path, r.Old.Path))
	}
	return fs
}

func pathOr(m *Module) string {
	if m == nil {
		return "MODULE"
	}
	return m.Path
}

// checkWork applies the replace and toolchain checks to go.work.
func checkWork(j *job, check string, w *Work) []Finding {
	switch check {
	case CheckReplace:
		return replaceFindings(j, nil, w.File, w.Dir, w.Work.Replace)
	case CheckToolchain:
		var goLine, tc string
		var goAt, tcAt int
		if w.Work.Go != nil {
			goLine, goAt = w.Work.Go.Version, w.Work.Go.Syntax.Start.Line
		}
		if w.Work.Toolchain != nil {
			tc, tcAt = w.Work.Toolchain.Name, w.Work.Toolchain.Syntax.Start.Line
		}
		return toolchainFindings(j, nil, w.File, filepath.Dir(w.File), goLine, goAt, tc, tcAt, 1)
	}
	return nil
}
