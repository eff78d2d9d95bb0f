package scan

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Policy is the gate: what is reported, what fails, what is excused.
type Policy struct {
	FailOn            []Severity // severities that fail the gate
	Report            []Severity // severities reported at all (a superset of FailOn)
	IgnoreUnfixed     bool       // vulnerabilities without a fixed version never fail
	Ignore            *IgnoreFile
	LicensesAllowed   []string // canonical SPDX IDs; empty: any not forbidden
	LicensesForbidden []string
	Now               time.Time // for ignore-rule expiry
}

// Notice is something the gate wants the user to know, with a place when
// it comes from the ignore file.
type Notice struct {
	File    string
	Line    int
	Message string
}

// ReachFunc returns govulncheck's verdict for a subject, or nil when
// reachability is not known for it.
type ReachFunc func(Subject) *Reachability

// Apply decides the status of every vulnerability and the licence
// violations of every result, drops vulnerabilities whose severity is not
// reported, and returns notices about expired ignore rules.
func (p Policy) Apply(results []Result, reach ReachFunc) ([]Result, []Notice) {
	var notices []Notice
	seenExpired := make(map[int]bool)
	out := make([]Result, 0, len(results))
	for _, r := range results {
		var rc *Reachability
		if reach != nil {
			rc = reach(r.Subject)
		}
		vulns := make([]Vulnerability, 0, len(r.Vulns))
		for _, v := range r.Vulns {
			if !slices.Contains(p.Report, v.Severity) {
				continue
			}
			v.Status, v.Note, v.Justification, v.Fails = StatusAffected, "", "", false
			live, expired := p.Ignore.matchVuln(v, v.Target, p.Now)
			for _, e := range expired {
				if !seenExpired[e.Line] {
					seenExpired[e.Line] = true
					notices = append(notices, Notice{p.Ignore.Path, e.Line, fmt.Sprintf("ignore rule for %s expired on %s: it no longer ignores anything", e.ID, e.Expires.Format(time.DateOnly))})
				}
			}
			known, called := false, false
			if rc.Covers(r.Subject, v) {
				known, called = rc.Verdict(v.IDs())
			}
			switch {
			case live != nil:
				v.Status, v.Note = StatusIgnored, ignoreNote(p.Ignore.Path, *live)
			case known && !called:
				v.Status, v.Justification, v.Note = StatusNotAffected, JustificationNotCalled, NoteNotCalled
			case p.IgnoreUnfixed && v.Fixed == "":
				v.Status, v.Note = StatusUnfixed, "no fixed version yet (ignore-unfixed)"
			default:
				if len(expired) > 0 {
					v.Note = fmt.Sprintf("ignore rule expired on %s", expired[0].Expires.Format(time.DateOnly))
				}
				v.Fails = slices.Contains(p.FailOn, v.Severity)
			}
			vulns = append(vulns, v)
		}
		slices.SortStableFunc(vulns, compareVulns)
		r.Vulns = vulns
		var lic []LicenseViolation
		lic, notices = p.licenses(r.Packages, notices, seenExpired)
		r.Licenses = lic
		out = append(out, r)
	}
	return out, notices
}

func (p Policy) licenses(pkgs []Package, notices []Notice, seenExpired map[int]bool) ([]LicenseViolation, []Notice) {
	if len(p.LicensesAllowed) == 0 && len(p.LicensesForbidden) == 0 {
		return nil, notices
	}
	var out []LicenseViolation
	for _, pkg := range pkgs {
		for _, l := range pkg.Licenses {
			for _, id := range licenseIDs(l) {
				reason := ""
				switch {
				case containsFold(p.LicensesForbidden, id):
					reason = "forbidden"
				case len(p.LicensesAllowed) > 0 && !containsFold(p.LicensesAllowed, id):
					reason = "not allowed"
				default:
					continue
				}
				live, expired := p.Ignore.matchLicense(id, p.Now)
				for _, e := range expired {
					if !seenExpired[e.Line] {
						seenExpired[e.Line] = true
						notices = append(notices, Notice{p.Ignore.Path, e.Line, fmt.Sprintf("ignore rule for licence %s expired on %s: it no longer ignores anything", e.ID, e.Expires.Format(time.DateOnly))})
					}
				}
				if live != nil {
					continue
				}
				out = append(out, LicenseViolation{Package: pkg.Name, Version: pkg.Version, License: id, Reason: reason})
			}
		}
	}
	return out, notices
}

func ignoreNote(file string, r IgnoreRule) string {
	n := fmt.Sprintf("ignored by %s:%d", file, r.Line)
	if r.Reason != "" {
		n += ": " + r.Reason
	}
	if !r.Expires.IsZero() {
		n += fmt.Sprintf(" (until %s)", r.Expires.Format(time.DateOnly))
	}
	return n
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

// compareVulns orders by severity (most severe first), then ID, package,
// target.
func compareVulns(a, b Vulnerability) int {
	if a.Severity != b.Severity {
		return int(b.Severity) - int(a.Severity)
	}
	for _, c := range [][2]string{{a.ID, b.ID}, {a.Package, b.Package}, {a.Target, b.Target}} {
		if n := strings.Compare(c[0], c[1]); n != 0 {
			return n
		}
	}
	return 0
}

// Passed reports whether a result passes the gate.
func (r Result) Passed() bool {
	if r.Err != "" || len(r.Licenses) > 0 {
		return false
	}
	return !slices.ContainsFunc(r.Vulns, func(v Vulnerability) bool { return v.Fails })
}

// Counts is the number of vulnerabilities per severity (affected ones only,
// those that are neither ignored, not affected nor unfixed-and-excused),
// plus the excused and licence tallies.
type Counts struct {
	Critical    int `json:"CRITICAL"`
	High        int `json:"HIGH"`
	Medium      int `json:"MEDIUM"`
	Low         int `json:"LOW"`
	Unknown     int `json:"UNKNOWN"`
	NotAffected int `json:"notAffected"`
	Ignored     int `json:"ignored"`
	Unfixed     int `json:"unfixed"`
	Licenses    int `json:"licenseViolations"`
	Failing     int `json:"failing"`
}

// Add counts one result into c.
func (c *Counts) Add(r Result) {
	for _, v := range r.Vulns {
		switch v.Status {
		case StatusNotAffected:
			c.NotAffected++
			continue
		case StatusIgnored:
			c.Ignored++
			continue
		case StatusUnfixed:
			c.Unfixed++
			continue
		}
		if v.Fails {
			c.Failing++
		}
		switch v.Severity {
		case SeverityCritical:
			c.Critical++
		case SeverityHigh:
			c.High++
		case SeverityMedium:
			c.Medium++
		case SeverityLow:
			c.Low++
		default:
			c.Unknown++
		}
	}
	c.Licenses += len(r.Licenses)
}

// Of returns the count of affected vulnerabilities of severity s.
func (c Counts) Of(s Severity) int {
	switch s {
	case SeverityCritical:
		return c.Critical
	case SeverityHigh:
		return c.High
	case SeverityMedium:
		return c.Medium
	case SeverityLow:
		return c.Low
	}
	return c.Unknown
}
