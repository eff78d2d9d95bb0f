package scan

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var day = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func textVuln(sev Severity, fixed string) Vulnerability {
	return Vulnerability{ID: "CVE-2022-32149", Aliases: []string{"GHSA-69ch-w2m2-3vjp"}, Package: "golang.org/x/text", Installed: "v0.3.7", Fixed: fixed, PkgType: "gobinary", Severity: sev, Target: "hello", MainModule: "example.com/hello"}
}

func subj() Subject { return Subject{Kind: KindBinary, Name: "hello linux/amd64"} }

// TestGate shows each rule of the gate deciding, and failing when it should.
func TestGate(t *testing.T) {
	t.Parallel()
	notCalled := &Reachability{Module: "example.com/hello", Called: map[string]bool{"GO-2022-1059": false, "CVE-2022-32149": false}}
	called := &Reachability{Module: "example.com/hello", Called: map[string]bool{"GO-2022-1059": true, "CVE-2022-32149": true}}
	otherModule := &Reachability{Module: "example.com/other", Called: map[string]bool{"CVE-2022-32149": false}}
	ignore := &IgnoreFile{Path: ".trivyignore.yaml", Rules: []IgnoreRule{{ID: "GHSA-69ch-w2m2-3vjp", Reason: "trusted input", Line: 3, Expires: day.AddDate(0, 1, 0)}}}
	expired := &IgnoreFile{Path: ".trivyignore", Rules: []IgnoreRule{{ID: "CVE-2022-32149", Line: 7, Expires: day.AddDate(0, -1, 0)}}}
	all := AllSeverities()
	for _, tc := range []struct {
		name       string
		p          Policy
		reach      *Reachability
		vuln       Vulnerability
		wantStatus Status
		wantFails  bool
		wantNotice string
		dropped    bool
	}{
		{name: "HIGH fails", p: Policy{FailOn: []Severity{SeverityHigh}, Report: all}, vuln: textVuln(SeverityHigh, "0.3.8"), wantStatus: StatusAffected, wantFails: true},
		{name: "MEDIUM reported only", p: Policy{FailOn: []Severity{SeverityHigh}, Report: all}, vuln: textVuln(SeverityMedium, "0.3.8"), wantStatus: StatusAffected},
		{name: "not reported", p: Policy{FailOn: []Severity{SeverityCritical}, Report: []Severity{SeverityCritical}}, vuln: textVuln(SeverityHigh, "0.3.8"), dropped: true},
		{name: "not called", p: Policy{FailOn: []Severity{SeverityHigh}, Report: all}, reach: notCalled, vuln: textVuln(SeverityHigh, "0.3.8"), wantStatus: StatusNotAffected},
		{name: "not called in another module's binary", p: Policy{FailOn: []Severity{SeverityHigh}, Report: all}, reach: otherModule, vuln: textVuln(SeverityHigh, "0.3.8"), wantStatus: StatusAffected, wantFails: true},
		{name: "called", p: Policy{FailOn: []Severity{SeverityHigh}, Report: all}, reach: called, vuln: textVuln(SeverityHigh, "0.3.8"), wantStatus: StatusAffected, wantFails: true},
		{name: "unfixed excused", p: Policy{FailOn: []Severity{SeverityHigh}, Report: all, IgnoreUnfixed: true}, vuln: textVuln(SeverityHigh, ""), wantStatus: StatusUnfixed},
		{name: "unfixed without ignore-unfixed", p: Policy{FailOn: []Severity{SeverityHigh}, Report: all}, vuln: textVuln(SeverityHigh, ""), wantStatus: StatusAffected, wantFails: true},
		{name: "ignored by alias", p: Policy{FailOn: []Severity{SeverityHigh}, Report: all, Ignore: ignore, Now: day}, vuln: textVuln(SeverityHigh, "0.3.8"), wantStatus: StatusIgnored},
		{name: "expired rule stops ignoring", p: Policy{FailOn: []Severity{SeverityHigh}, Report: all, Ignore: expired, Now: day}, vuln: textVuln(SeverityHigh, "0.3.8"), wantStatus: StatusAffected, wantFails: true, wantNotice: ".trivyignore:7: ignore rule for CVE-2022-32149 expired on 2026-10-22"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, notices := tc.p.Apply([]Result{{Subject: subj(), Vulns: []Vulnerability{tc.vuln}}}, func(Subject) *Reachability { return tc.reach })
			if tc.dropped {
				if len(res[0].Vulns) != 0 {
					t.Fatalf("vulnerability outside report kept: %+v", res[0].Vulns)
				}
				return
			}
			v := res[0].Vulns[0]
			if v.Status != tc.wantStatus || v.Fails != tc.wantFails {
				t.Errorf("status %s fails %v, want %s %v (note %q)", v.Status, v.Fails, tc.wantStatus, tc.wantFails, v.Note)
			}
			if res[0].Passed() == tc.wantFails {
				t.Errorf("Passed() = %v with a failing=%v vulnerability", res[0].Passed(), tc.wantFails)
			}
			var got []string
			for _, n := range notices {
				got = append(got, n.File+":"+itoa(n.Line)+": "+n.Message)
			}
			if tc.wantNotice == "" && len(got) > 0 || tc.wantNotice != "" && (len(got) != 1 || !strings.HasPrefix(got[0], tc.wantNotice)) {
				t.Errorf("notices %q, want %q", got, tc.wantNotice)
			}
			if tc.wantStatus == StatusNotAffected && (v.Justification != JustificationNotCalled || v.Note != NoteNotCalled) {
				t.Errorf("not-affected vulnerability lacks its justification: %+v", v)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestLicenseGate shows forbidden and allow-list violations, and an ignore
// rule excusing one.
func TestLicenseGate(t *testing.T) {
	t.Parallel()
	pkgs := []Package{
		{Name: "golang.org/x/text", Version: "v0.3.7", Type: "gomod", Licenses: []string{"BSD-3-Clause"}},
		{Name: "example.com/gpl", Version: "v1.0.0", Type: "gomod", Licenses: []string{"GPL-3.0-only"}},
		{Name: "example.com/dual", Version: "v1.0.0", Type: "gomod", Licenses: []string{"MIT OR Apache-2.0"}},
		{Name: "example.com/none", Version: "v1.0.0", Type: "gomod"},
	}
	for _, tc := range []struct {
		name string
		p    Policy
		want []LicenseViolation
	}{
		{name: "no lists", p: Policy{}},
		{name: "forbidden", p: Policy{LicensesForbidden: []string{"GPL-3.0-only"}},
			want: []LicenseViolation{{Package: "example.com/gpl", Version: "v1.0.0", License: "GPL-3.0-only", Reason: "forbidden"}}},
		{name: "allow list", p: Policy{LicensesAllowed: []string{"BSD-3-Clause", "MIT", "Apache-2.0"}},
			want: []LicenseViolation{{Package: "example.com/gpl", Version: "v1.0.0", License: "GPL-3.0-only", Reason: "not allowed"}}},
		{name: "ignored", p: Policy{LicensesForbidden: []string{"GPL-3.0-only", "BSD-3-Clause"}, Now: day, Ignore: &IgnoreFile{Rules: []IgnoreRule{{ID: "GPL-3.0-only", License: true, Reason: "internal"}}}},
			want: []LicenseViolation{{Package: "golang.org/x/text", Version: "v0.3.7", License: "BSD-3-Clause", Reason: "forbidden"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, _ := tc.p.Apply([]Result{{Packages: pkgs}}, nil)
			if d := cmp.Diff(tc.want, res[0].Licenses); d != "" {
				t.Errorf("violations (-want +got):\n%s", d)
			}
			if res[0].Passed() != (len(tc.want) == 0) {
				t.Errorf("Passed() = %v with %d violations", res[0].Passed(), len(tc.want))
			}
		})
	}
}

// TestSeveritiesAndLicences checks the parsers behind fail-on, report and
// the licence lists, including bad input.
func TestSeveritiesAndLicences(t *testing.T) {
	t.Parallel()
	got, err := ParseSeverities([]string{"high", "CRITICAL", "HIGH"})
	if err != nil || !cmp.Equal(got, []Severity{SeverityCritical, SeverityHigh}) {
		t.Errorf("ParseSeverities = %v, %v", got, err)
	}
	if _, err := ParseSeverities([]string{"SEVERE"}); err == nil || !strings.Contains(err.Error(), `"SEVERE" is not a severity`) {
		t.Errorf("unknown severity: %v", err)
	}
	for in, want := range map[string]string{"apache-2.0": "Apache-2.0", "GPL-3.0": "GPL-3.0-only", "gpl-2.0+": "GPL-2.0-or-later", "LGPL-2.1": "LGPL-2.1-only"} {
		if c, err := CanonicalLicense(in); err != nil || c != want {
			t.Errorf("CanonicalLicense(%s) = %q, %v; want %s", in, c, err, want)
		}
	}
	if _, err := CanonicalLicense("GPL-4.0"); err == nil || !strings.Contains(err.Error(), "not an SPDX license ID") {
		t.Errorf("unknown SPDX ID: %v", err)
	}
}
