package scan

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseIgnoreFile(t *testing.T) {
	t.Parallel()
	exp := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, file, data string
		want             []IgnoreRule
		wantLine         int
		wantErr          string
	}{
		{name: "trivyignore", file: ".trivyignore", data: "# header\nCVE-2022-32149 exp:2027-01-31\n\nGHSA-69ch-w2m2-3vjp # trailing\n",
			want: []IgnoreRule{{ID: "CVE-2022-32149", Expires: exp, Line: 2}, {ID: "GHSA-69ch-w2m2-3vjp", Line: 4}}},
		{name: "trivyignore bad expiry", file: ".trivyignore", data: "CVE-1\nCVE-2022-32149 exp:31/01/2027\n", wantLine: 2, wantErr: `expiry "31/01/2027" is not a date`},
		{name: "trivyignore junk", file: ".trivyignore", data: "CVE-2022-32149 because\n", wantLine: 1, wantErr: `unexpected "because"`},
		{name: "yaml", file: "ignore.yaml", data: "vulnerabilities:\n  - id: CVE-2022-32149\n    reason: trusted input only\n    expires: 2027-01-31\n    paths: [\"hello_*/hello\"]\nlicenses:\n  - id: GPL-3.0-only\n    statement: internal tool\n",
			want: []IgnoreRule{{ID: "CVE-2022-32149", Reason: "trusted input only", Expires: exp, Paths: []string{"hello_*/hello"}, Line: 2}, {ID: "GPL-3.0-only", License: true, Reason: "internal tool", Line: 7}}},
		{name: "yaml missing reason", file: "ignore.yaml", data: "vulnerabilities:\n  - id: CVE-1\n    reason: ok\n  - id: CVE-2022-32149\n", wantLine: 4, wantErr: "has no reason"},
		{name: "yaml bad date", file: "ignore.yml", data: "vulnerabilities:\n  - id: CVE-2022-32149\n    reason: x\n    expires: soon\n", wantLine: 4, wantErr: `expires "soon" is not a date`},
		{name: "yaml unknown key", file: "ignore.yaml", data: "vulnerabilities:\n  - id: CVE-2022-32149\n    reasn: x\n", wantLine: 3, wantErr: `unknown key "reasn"`},
		{name: "yaml syntax", file: "ignore.yaml", data: "vulnerabilities:\n  - id: a: b\n", wantLine: 2, wantErr: "YAML: mapping values are not allowed"},
		{name: "yaml unknown section", file: "ignore.yaml", data: "vulns:\n  - id: CVE-1\n", wantLine: 1, wantErr: `unknown section "vulns"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := ParseIgnoreFile(tc.file, []byte(tc.data))
			if tc.wantErr != "" {
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Line != tc.wantLine || pe.File != tc.file || !strings.Contains(pe.Msg, tc.wantErr) {
					t.Fatalf("error %v, want %s:%d containing %q", err, tc.file, tc.wantLine, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, f.Rules); d != "" {
				t.Errorf("rules (-want +got):\n%s", d)
			}
		})
	}
}
