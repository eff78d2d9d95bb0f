package trivy

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/gha"
)

// TestBadInput: each bad input is named, with its place when it has one,
// and nothing is written for usage errors.
func TestBadInput(t *testing.T) {
	skipShort(t)
	f := newFixture(t)
	ws, _ := workspace(t, "called")
	writeFile(t, filepath.Join(ws, "bad.yaml"), []byte("vulnerabilities:\n  - id: CVE-2022-32149\n    reason: fine\n  - id: CVE-2022-99999\n"))
	bin := "dist/called_linux_amd64/called"
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr []string
	}{
		{name: "unknown severity", args: []string{"--fail-on", "HIGH,SEVERE"}, code: 2, stderr: []string{`input "fail-on": "SEVERE" is not a severity: use CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN`}},
		{name: "fail-on not reported", args: []string{"--report", "CRITICAL", "--fail-on", "HIGH"}, code: 2, stderr: []string{`input "fail-on": HIGH fails the gate but is not reported`}},
		{name: "unknown SPDX ID", args: []string{"--licenses-forbidden", "GPL-4.0"}, code: 2, stderr: []string{`input "licenses-forbidden": "GPL-4.0" is not an SPDX license ID`}},
		{name: "bad ignore file", args: []string{"--ignore-file", "bad.yaml", "--paths", bin}, code: 2, stderr: []string{"error: bad.yaml:4: ignore file: entry CVE-2022-99999 has no reason"}},
		{name: "missing subject", args: []string{"--paths", "dist/nope/called"}, code: 2, stderr: []string{`input "paths": dist/nope/called does not exist`}},
		{name: "not a binary", args: []string{"--paths", "mod/main.go"}, code: 2, stderr: []string{`input "paths": mod/main.go is not a Go binary`}},
		{name: "bad digest", args: []string{"--db-digest", "sha256:abc"}, code: 2, stderr: []string{`input "db-digest": "sha256:abc" is not a manifest digest`}},
		{name: "image does not resolve", args: []string{"--images", f.host + "/nope/nothing:1", "--reachability", "false"}, code: 2, stderr: []string{`input "images": ` + f.host + "/nope/nothing:1 does not resolve"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, ws, nil, f.args(t, tc.args...)...)
			r.mustCode(t, tc.code)
			for _, s := range tc.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("outputs written for a usage error: %q", r.stdout)
			}
		})
	}
}

// TestDBUnavailable: an unreachable repository is retried a bounded number of
// times, then the step fails with exit 1 and says why; a corrupt DB artifact
// is a clear error too. Neither reports "0 vulnerabilities".
func TestDBUnavailable(t *testing.T) {
	skipShort(t)
	f := newFixture(t)
	ws, _ := workspace(t, "called")
	bin := "dist/called_linux_amd64/called"

	r := runCLI(t, ws, nil, "--db-repository", "127.0.0.1:1/aquasec/trivy-db:2", "--cache-dir", t.TempDir(), "--paths", bin, "--reachability", "false")
	r.mustCode(t, gha.ExitFailure)
	if !strings.Contains(r.stderr, "downloading the vulnerability DB: no repository served it after 3 attempts each: 127.0.0.1:1/aquasec/trivy-db:2:") || strings.Contains(r.stdout, "passed=") {
		t.Errorf("stderr:\n%s\nstdout:\n%s", r.stderr, r.stdout)
	}

	corrupt := f.host + "/corrupt/trivy-db:2"
	pushDB(t, corrupt, tarGz(t, map[string][]byte{"trivy.db": []byte("not a bolt file"), "metadata.json": dbFiles(t, "HIGH")["metadata.json"]}))
	r = runCLI(t, ws, nil, "--db-repository", corrupt, "--cache-dir", t.TempDir(), "--paths", bin, "--reachability", "false")
	r.mustCode(t, gha.ExitFailure)
	if !strings.Contains(r.stderr, "does not open") || !strings.Contains(r.stderr, "corrupt vulnerability DB") {
		t.Errorf("stderr:\n%s", r.stderr)
	}

	// skip-db-update with an empty cache.
	r = runCLI(t, ws, nil, "--db-repository", f.repo, "--cache-dir", t.TempDir(), "--paths", bin, "--skip-db-update")
	r.mustCode(t, gha.ExitUsage)
	if !strings.Contains(r.stderr, `input "skip-db-update": there is no DB in`) {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}
