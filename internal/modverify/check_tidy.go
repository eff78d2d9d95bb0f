package modverify

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/build"
)

// Hunk is one hunk of a unified diff.
type Hunk struct {
	File    string // base name: go.mod or go.sum
	Line    int    // first changed line in the current file (0: the file is new)
	Removed []string
	Added   []string
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@`)

// ParseUnifiedDiff reads `go mod tidy -diff` output: per file, "--- current/F"
// and "+++ tidy/F" headers, then hunks.
func ParseUnifiedDiff(diff string) ([]Hunk, error) {
	var hunks []Hunk
	var file string
	var cur *Hunk
	old := 0
	flush := func() {
		if cur != nil && (len(cur.Added) > 0 || len(cur.Removed) > 0) {
			hunks = append(hunks, *cur)
		}
		cur = nil
	}
	for line := range strings.Lines(diff) {
		line = strings.TrimRight(line, "\r\n")
		switch {
		case strings.HasPrefix(line, "diff "):
			flush()
		case strings.HasPrefix(line, "--- "):
			flush()
			f := strings.Fields(strings.TrimPrefix(line, "--- "))
			if len(f) > 0 {
				file = path.Base(f[0])
			}
		case strings.HasPrefix(line, "+++ "):
			f := strings.Fields(strings.TrimPrefix(line, "+++ "))
			if len(f) > 0 && (file == "" || file == "null") {
				file = path.Base(f[0])
			}
		case strings.HasPrefix(line, "@@"):
			flush()
			m := hunkHeader.FindStringSubmatch(line)
			if m == nil {
				return nil, fmt.Errorf("malformed hunk header %q", line)
			}
			old, _ = strconv.Atoi(m[1])
			cur = &Hunk{File: file}
		case cur == nil:
		case strings.HasPrefix(line, "-"):
			if cur.Line == 0 {
				cur.Line = old
			}
			cur.Removed = append(cur.Removed, line[1:])
			old++
		case strings.HasPrefix(line, "+"):
			if cur.Line == 0 {
				cur.Line = old
			}
			cur.Added = append(cur.Added, line[1:])
		default:
			old++
		}
	}
	flush()
	return hunks, nil
}

// checkTidy runs `go mod tidy -diff` and makes each hunk a finding on its
// go.mod or go.sum line; the diff goes into the summary.
func checkTidy(ctx context.Context, j *job, m *Module) ([]Finding, error) {
	env := withEnv(j.base, "GOWORK=off", "GOFLAGS="+modFlags(j.env.Value("GOFLAGS"), ""))
	out, err := goCommand(ctx, j.d.Runner, m.Dir, env, "mod", "tidy", "-diff")
	if err == nil {
		return nil, nil
	}
	var ee *build.ExitError
	if !errors.As(err, &ee) || len(strings.TrimSpace(string(out))) == 0 {
		return nil, fmt.Errorf("go mod tidy -diff in %s: %w", m.Rel, err)
	}
	hunks, perr := ParseUnifiedDiff(string(out))
	if perr != nil || len(hunks) == 0 {
		return nil, fmt.Errorf("go mod tidy -diff in %s: unexpected output: %v\n%s", m.Rel, perr, out)
	}
	j.addTidyDiff(m.Rel, string(out))
	var fs []Finding
	for _, h := range hunks {
		rule, file, line := RuleGoModNotTidy, m.GoMod, h.Line
		if h.File == "go.sum" {
			rule = RuleGoSumNotTidy
			file = path.Join(path.Dir(m.GoMod), "go.sum")
			if m.Sum == nil {
				file, line = m.GoMod, m.moduleLine()
			}
		}
		if line == 0 {
			line = 1
		}
		fs = append(fs, newFinding(rule, m, file, line, "", "go mod tidy would change %s here: %s", h.File, describeHunk(h)).
			withFix("Run `go mod tidy` in `%s` and commit go.mod and go.sum.", m.Rel))
	}
	return fs, nil
}

// describeHunk says what a hunk changes in a few words.
func describeHunk(h Hunk) string {
	var parts []string
	list := func(verb string, lines []string) {
		var items []string
		for _, l := range lines {
			if l = strings.TrimSpace(l); l != "" && l != "(" && l != ")" {
				items = append(items, "`"+l+"`")
			}
		}
		switch {
		case len(items) == 0:
		case len(items) > 4:
			parts = append(parts, fmt.Sprintf("%s %s and %d more lines", verb, strings.Join(items[:4], ", "), len(items)-4))
		default:
			parts = append(parts, verb+" "+strings.Join(items, ", "))
		}
	}
	list("remove", h.Removed)
	list("add", h.Added)
	if len(parts) == 0 {
		return "whitespace or ordering"
	}
	return strings.Join(parts, "; ")
}
