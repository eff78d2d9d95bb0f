package scan

import (
	"fmt"
	"strings"
)

// topFindings is how many findings the summary lists.
const topFindings = 10

// Summary is the step summary: the verdict, the DB, a table of counts per
// subject and severity, the top findings with their fixed versions, and the
// excused ones.
func Summary(results []Result, db DBInfo, p Policy, passed bool) string {
	var b strings.Builder
	verdict := "✅ passed"
	if !passed {
		verdict = "❌ failed"
	}
	fmt.Fprintf(&b, "## scan: %s\n\n", verdict)
	names := make([]string, len(p.FailOn))
	for i, s := range p.FailOn {
		names[i] = s.String()
	}
	gate := "nothing (fail-on is empty)"
	if len(names) > 0 {
		gate = strings.Join(names, ", ")
	}
	fmt.Fprintf(&b, "Gate: %s", gate)
	if p.IgnoreUnfixed {
		b.WriteString(", unfixed excused")
	}
	if len(p.LicensesAllowed) > 0 || len(p.LicensesForbidden) > 0 {
		b.WriteString(", licence policy on")
	}
	fmt.Fprintf(&b, ". DB `%s` (updated %s) from %s.\n\n", shortDigest(db.Digest), db.UpdatedAt.UTC().Format("2006-01-02 15:04 MST"), db.Repository)

	b.WriteString("| subject | CRITICAL | HIGH | MEDIUM | LOW | UNKNOWN | not affected | ignored | licences | result |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range results {
		if r.Err != "" {
			fmt.Fprintf(&b, "| %s | | | | | | | | | ⚠ not scanned: %s |\n", mdEscape(r.Subject.Name), mdEscape(r.Err))
			continue
		}
		var c Counts
		c.Add(r)
		res := "✅"
		if !r.Passed() {
			res = "❌"
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d | %d | %d | %s |\n", mdEscape(r.Subject.Name),
			c.Critical, c.High, c.Medium, c.Low, c.Unknown, c.NotAffected, c.Ignored+c.Unfixed, c.Licenses, res)
	}

	type row struct {
		r Result
		v Vulnerability
	}
	var top, excused []row
	for _, r := range results {
		for _, v := range r.Vulns {
			if v.Status == StatusAffected {
				top = append(top, row{r, v})
			} else {
				excused = append(excused, row{r, v})
			}
		}
	}
	if len(top) > 0 {
		b.WriteString("\n### Top findings\n\n| severity | ID | package | installed | fixed in | subject | gate |\n|---|---|---|---|---|---|---|\n")
		sortRows := func(rows []row) {
			for i := 1; i < len(rows); i++ {
				for j := i; j > 0 && compareVulns(rows[j].v, rows[j-1].v) < 0; j-- {
					rows[j], rows[j-1] = rows[j-1], rows[j]
				}
			}
		}
		sortRows(top)
		for i, t := range top {
			if i == topFindings {
				fmt.Fprintf(&b, "\n…and %d more in the SARIF and JSON reports.\n", len(top)-topFindings)
				break
			}
			fixed := t.v.Fixed
			if fixed == "" {
				fixed = "no fix yet"
			}
			gate := "report"
			if t.v.Fails {
				gate = "**fails**"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", t.v.Severity, idLink(t.v), t.v.Package, t.v.Installed, fixed, mdEscape(t.r.Subject.Name), gate)
		}
	}
	if len(excused) > 0 {
		b.WriteString("\n### Reported but not failing\n\n| ID | package | subject | why |\n|---|---|---|---|\n")
		for _, e := range excused {
			fmt.Fprintf(&b, "| %s | %s %s | %s | %s |\n", idLink(e.v), e.v.Package, e.v.Installed, mdEscape(e.r.Subject.Name), mdEscape(e.v.Note))
		}
	}
	var lic []string
	for _, r := range results {
		for _, l := range r.Licenses {
			lic = append(lic, fmt.Sprintf("| %s %s | %s | %s | %s |", l.Package, l.Version, l.License, l.Reason, mdEscape(r.Subject.Name)))
		}
	}
	if len(lic) > 0 {
		b.WriteString("\n### Licence violations\n\n| package | licence | rule | subject |\n|---|---|---|---|\n")
		b.WriteString(strings.Join(lic, "\n") + "\n")
	}
	return b.String()
}

func idLink(v Vulnerability) string {
	if v.URL == "" {
		return v.ID
	}
	return fmt.Sprintf("[%s](%s)", v.ID, v.URL)
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func shortDigest(d string) string {
	if len(d) > len("sha256:")+12 {
		return d[:len("sha256:")+12]
	}
	if d == "" {
		return "unknown"
	}
	return d
}
