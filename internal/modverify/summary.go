package modverify

import (
	"fmt"
	"strings"
)

// maxSummaryRows bounds the findings table of the step summary.
const maxSummaryRows = 300

// summary is the step summary: what was checked, the dependency diff, the
// tidy diffs, and last the findings table a reviewer acts on.
func summary(j *job, mods []*Module, fs []Finding, passed bool) string {
	var b strings.Builder
	verdict := "passed"
	if !passed {
		verdict = "failed"
	}
	c := countFindings(fs)
	fmt.Fprintf(&b, "## verify-mod: %s\n\n", verdict)
	fmt.Fprintf(&b, "%d errors, %d warnings, %d notices (fail-on: %s). Go %s. Checks: %s.\n\n",
		c.Error, c.Warning, c.Notice, j.c.FailOn, j.goVersion, strings.Join(j.ran, ", "))
	b.WriteString("| module | path | go | toolchain | go.sum lines |\n|---|---|---|---|---:|\n")
	for _, m := range mods {
		goLine, tc, lines := "—", "—", "none"
		if m.File.Go != nil {
			goLine = m.File.Go.Version
		}
		if m.File.Toolchain != nil {
			tc = m.File.Toolchain.Name
		}
		if m.Sum != nil {
			lines = fmt.Sprint(len(m.Sum.Lines))
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", m.Rel, m.Path, goLine, tc, lines)
	}
	if s := j.sumdb; s != nil {
		fmt.Fprintf(&b, "\nChecksum database %s: %d module versions checked, %d skipped (GONOSUMDB/GOPRIVATE/GONOSUMCHECK), %d HTTP requests.\n",
			s.Database, s.Checked, s.Skipped, s.Remote)
	}
	for _, n := range j.notes {
		fmt.Fprintf(&b, "\n- %s", n)
	}
	if len(j.notes) > 0 {
		b.WriteString("\n")
	}
	for _, d := range j.diffs {
		fmt.Fprintf(&b, "\n### Dependencies of `%s` against %s\n\n", d.Module, d.Base)
		if len(d.Changes) == 0 {
			b.WriteString("No requirement changed.\n")
			continue
		}
		b.WriteString("| module | change | from | to | direct | note |\n|---|---|---|---|---|---|\n")
		for _, ch := range d.Changes {
			var notes []string
			if ch.Major {
				notes = append(notes, "**major version**")
			}
			if ch.Unexplained {
				notes = append(notes, "**no dependency asks for it**")
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", ch.Path, ch.Change, dash(ch.From), dash(ch.To), yesNo(ch.Direct), strings.Join(notes, ", "))
		}
	}
	for _, t := range j.tidy {
		fmt.Fprintf(&b, "\n### `go mod tidy -diff` in `%s`\n\n```diff\n%s\n```\n", t[0], truncateLines(strings.TrimRight(t[1], "\n"), 200))
	}
	b.WriteString("\n### Findings\n\n")
	if len(fs) == 0 {
		b.WriteString("None.\n")
		return b.String()
	}
	b.WriteString("| severity | rule | where | finding | fix |\n|---|---|---|---|---|\n")
	for i, f := range fs {
		if i == maxSummaryRows {
			fmt.Fprintf(&b, "\n%d more findings: see the annotations, the findings output or the SARIF file.\n", len(fs)-i)
			break
		}
		where := f.File
		if f.Line > 0 {
			where = fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %s |\n", f.Severity, f.Rule, where, cell(f.Message), cell(f.Fix))
	}
	return b.String()
}

func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", "<br>")
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func truncateLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n… %d more lines", len(lines)-n)
}
