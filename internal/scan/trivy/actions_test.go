package trivy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/scan"
)

// TestActionsMode runs the action as the runner does: inputs from INPUT_*,
// outputs through GITHUB_OUTPUT, annotations as workflow commands, the
// summary in GITHUB_STEP_SUMMARY. The subjects are a root filesystem
// directory and a go.mod file given as paths.
func TestActionsMode(t *testing.T) {
	skipShort(t)
	f := newFixture(t)
	ws, _ := workspace(t, "called")
	rootfs := filepath.Join(ws, "rootfs", "usr", "local", "bin")
	writeFile(t, filepath.Join(rootfs, "called"), readFile(t, filepath.Join(ws, "dist", "called_linux_amd64", "called")))
	if err := os.Chmod(filepath.Join(rootfs, "called"), 0o755); err != nil { // Trivy looks at executables only
		t.Fatal(err)
	}
	outFile, sumFile := filepath.Join(ws, "output"), filepath.Join(ws, "summary")
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": ws, "GITHUB_OUTPUT": outFile, "GITHUB_STEP_SUMMARY": sumFile,
		"INPUT_PATHS": "rootfs\nmod/go.mod", "INPUT_DB_REPOSITORY": f.repo, "INPUT_VULN_DB": f.vulnDB, "INPUT_CACHE_DIR": t.TempDir(),
		"INPUT_MODULE_DIR": "mod", "INPUT_SARIF": "results.sarif", "INPUT_SBOM_FORMATS": "spdx",
	}
	r := runCLI(t, t.TempDir(), env)
	r.ws = ws
	r.mustCode(t, gha.ExitFindings)
	out := string(readFile(t, outFile))
	for _, want := range []string{"passed<<ghadelimiter_", "\nfalse\n", "sarif<<ghadelimiter_", "\nresults.sarif\n", "db-digest<<ghadelimiter_", "\n" + f.digest + "\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("GITHUB_OUTPUT lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(r.stdout, "::error file=rootfs,title=CVE-2022-32149 HIGH::golang.org/x/text v0.3.7 in rootfs: fixed in 0.3.8") {
		t.Errorf("no error annotation on the rootfs:\n%s", r.stdout)
	}
	if !strings.Contains(string(readFile(t, sumFile)), "| rootfs | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | ❌ |") {
		t.Errorf("summary:\n%s", readFile(t, sumFile))
	}
	rep := r.report(t)
	got := vulnsOf(rep)
	// The rootfs binary is the module's own: govulncheck says called.
	if v := got["rootfs"]; v.Status != scan.StatusAffected || !v.Fails || v.MainModule != "example.com/called" {
		t.Errorf("rootfs finding %+v", v)
	}
	if v := got["example.com/called (go.mod)"]; v.Status != scan.StatusAffected || v.Target != "go.mod" {
		t.Errorf("go.mod finding %+v", v)
	}
	// SARIF outside dist is written but not a manifest artifact; SPDX only.
	checkSARIF(t, filepath.Join(ws, "results.sarif"), 2)
	m := r.manifest(t)
	for _, a := range m.Artifacts {
		if a.Kind == scan.KindSARIF || strings.HasSuffix(a.Path, ".cdx.json") {
			t.Errorf("unexpected artifact %+v", a)
		}
	}
	if _, err := os.Stat(filepath.Join(ws, "dist", "sbom", "rootfs.spdx.json")); err != nil {
		t.Error(err)
	}
}
