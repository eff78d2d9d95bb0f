package modverify

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"go/build/constraint"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// maxTruthTableTags bounds the exhaustive comparison of two constraints.
const maxTruthTableTags = 16

// checkBuildConstraints reports .go files of the module whose //go:build and
// // +build lines select different builds, and files with only // +build.
func checkBuildConstraints(_ context.Context, j *job, m *Module) ([]Finding, error) {
	var fs []Finding
	err := filepath.WalkDir(m.Dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == m.Dir {
				return nil
			}
			name := d.Name()
			if name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(m.Dir, p)
		if f, ok := constraintFinding(m, path.Join(m.Rel, filepath.ToSlash(rel)), data); ok {
			fs = append(fs, f)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", m.Rel, err)
	}
	return fs, nil
}

// constraintFinding inspects the header of one Go file: the comment lines
// before the package clause.
func constraintFinding(m *Module, file string, data []byte) (Finding, bool) {
	var goBuild constraint.Expr
	goBuildLine := 0
	var plus []constraint.Expr
	var plusText []string
	plusLine := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	inBlock := false
header:
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case inBlock:
			if strings.Contains(line, "*/") {
				inBlock = false
			}
			continue
		case line == "":
			continue
		case strings.HasPrefix(line, "/*"):
			inBlock = !strings.Contains(line, "*/")
			continue
		case !strings.HasPrefix(line, "//"):
			break header // the package clause or code: the header is over
		}
		switch {
		case constraint.IsGoBuild(line):
			if x, err := constraint.Parse(line); err == nil && goBuild == nil {
				goBuild, goBuildLine = x, n
			}
		case constraint.IsPlusBuild(line):
			if x, err := constraint.Parse(line); err == nil {
				plus = append(plus, x)
				plusText = append(plusText, line)
				if plusLine == 0 {
					plusLine = n
				}
			}
		}
	}
	switch {
	case len(plus) == 0:
		return Finding{}, false
	case goBuild == nil:
		return newFinding(RulePlusBuildOnly, m, file, plusLine, "",
			"%s has %q but no //go:build line", file, strings.Join(plusText, " / ")).
			withFix("Run `gofmt -w %s` (or `go fix`), which adds the //go:build line.", file), true
	}
	var combined constraint.Expr = plus[0]
	for _, x := range plus[1:] {
		combined = &constraint.AndExpr{X: combined, Y: x}
	}
	if tags, same := equivalent(goBuild, combined); !same {
		return newFinding(RuleConstraintsDisagree, m, file, goBuildLine, "",
			"//go:build %s and %s disagree (with tags %s one includes the file and the other does not): Go 1.17+ and older tools build different files",
			goBuild, strings.Join(plusText, " / "), tags).
			withFix("Run `gofmt -w %s` (it rewrites // +build from //go:build), or delete the // +build lines when go.mod says go 1.17 or later.", file), true
	}
	return Finding{}, false
}

// equivalent compares two constraints over every assignment of their tags;
// when they differ it returns the tags set true in a witness assignment.
// Past maxTruthTableTags tags it compares their normalised text.
func equivalent(a, b constraint.Expr) (string, bool) {
	tags := slices.Compact(slices.Sorted(slices.Values(append(exprTags(a), exprTags(b)...))))
	if len(tags) > maxTruthTableTags {
		return "(too many to enumerate)", a.String() == b.String()
	}
	for mask := 0; mask < 1<<len(tags); mask++ {
		on := func(tag string) bool { return mask&(1<<slices.Index(tags, tag)) != 0 }
		if a.Eval(on) != b.Eval(on) {
			var set []string
			for _, t := range tags {
				if on(t) {
					set = append(set, t)
				}
			}
			if len(set) == 0 {
				return "(none)", false
			}
			return strings.Join(set, ","), false
		}
	}
	return "", true
}

// exprTags lists the tags of a constraint (Eval short-circuits, so it
// cannot be used to collect them).
func exprTags(x constraint.Expr) []string {
	switch x := x.(type) {
	case *constraint.TagExpr:
		return []string{x.Tag}
	case *constraint.NotExpr:
		return exprTags(x.X)
	case *constraint.AndExpr:
		return append(exprTags(x.X), exprTags(x.Y)...)
	case *constraint.OrExpr:
		return append(exprTags(x.X), exprTags(x.Y)...)
	}
	return nil
}
