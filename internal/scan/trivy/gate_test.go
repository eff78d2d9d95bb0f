package trivy

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/scan"
)

// TestDBDigest pins the DB: the pinned digest is used (from the cache with
// no network once cached), and a digest the repository does not serve is a
// usage error that names it.
func TestDBDigest(t *testing.T) {
	skipShort(t)
	f := newFixture(t)
	// A newer DB behind the same tag: the pin must keep the old one.
	newer := pushDB(t, f.repo, tarGz(t, dbFiles(t, "CRITICAL")))
	ws, _ := workspace(t, "called")
	cache := t.TempDir()
	args := []string{"--db-repository", f.repo, "--cache-dir", cache, "--reachability", "false", "--paths", "dist/called_linux_amd64/called"}

	r := runCLI(t, ws, nil, append(args, "--db-digest", f.digest)...)
	r.mustCode(t, gha.ExitFindings)
	rep := r.report(t)
	if rep.DB.Digest != f.digest || vulnsOf(rep)["called linux/amd64"].Severity != scan.SeverityHigh {
		t.Errorf("pinned run used %s (%v), want %s with HIGH", rep.DB.Digest, vulnsOf(rep), f.digest)
	}

	// Unpinned with an expired cache... here fresh: the cache (f.digest) is used as is.
	// Pinned to the newer DB: it is downloaded, and its severity shows.
	r = runCLI(t, ws, nil, append(args, "--db-digest", newer)...)
	r.mustCode(t, gha.ExitFindings)
	if rep := r.report(t); rep.DB.Digest != newer || !rep.DB.Downloaded || vulnsOf(rep)["called linux/amd64"].Severity != scan.SeverityCritical {
		t.Errorf("re-pinned run: db %+v, vulns %v", rep.DB, vulnsOf(rep))
	}

	// The same pin again: from the cache even with the registry gone.
	r = runCLI(t, ws, nil, "--db-repository", "127.0.0.1:1/nowhere:2", "--cache-dir", cache, "--reachability", "false", "--paths", "dist/called_linux_amd64/called", "--db-digest", newer)
	r.mustCode(t, gha.ExitFindings)
	if rep := r.report(t); rep.DB.Downloaded || rep.DB.Digest != newer {
		t.Errorf("cached pinned run: %+v", rep.DB)
	}

	// A digest nobody serves.
	bogus := "sha256:" + strings.Repeat("ab", 32)
	r = runCLI(t, ws, nil, append(args, "--db-digest", bogus, "--cache-dir", t.TempDir())...)
	r.mustCode(t, gha.ExitUsage)
	if !strings.Contains(r.stderr, `input "db-digest": `+bogus+" is not in "+f.repo) {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// TestIgnoreFile: a live YAML rule excuses the finding (the gate passes, the
// finding stays reported as ignored); once expired it stops ignoring and says
// so on its line.
func TestIgnoreFile(t *testing.T) {
	skipShort(t)
	f := newFixture(t)
	ws, _ := workspace(t, "called")
	future := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	past := time.Now().AddDate(0, -1, 0).Format(time.DateOnly)
	base := f.args(t, "--reachability", "false", "--paths", "dist/called_linux_amd64/called", "--ignore-file", "ignore.yaml")

	writeFile(t, filepath.Join(ws, "ignore.yaml"), []byte("vulnerabilities:\n  - id: "+fixtureGHSA+"\n    reason: we only parse our proxy's headers\n    expires: "+future+"\n"))
	r := runCLI(t, ws, nil, base...)
	r.mustCode(t, gha.ExitOK)
	if v := vulnsOf(r.report(t))["called linux/amd64"]; v.Status != scan.StatusIgnored || !strings.Contains(v.Note, "ignore.yaml:2: we only parse our proxy's headers") {
		t.Errorf("ignored finding: %+v", v)
	}

	writeFile(t, filepath.Join(ws, "ignore.yaml"), []byte("vulnerabilities:\n  - id: "+fixtureCVE+"\n    reason: we only parse our proxy's headers\n    expires: "+past+"\n"))
	r = runCLI(t, ws, nil, base...)
	r.mustCode(t, gha.ExitFindings)
	if !strings.Contains(r.stderr, "warning: ignore.yaml:2: ignore rule expired: ignore rule for CVE-2022-32149 expired on "+past) {
		t.Errorf("no expiry warning on the rule's line:\n%s", r.stderr)
	}

	// The .trivyignore form, found in the workspace by default.
	writeFile(t, filepath.Join(ws, ".trivyignore"), []byte("# accepted\n"+fixtureCVE+"\n"))
	r = runCLI(t, ws, nil, f.args(t, "--reachability", "false", "--paths", "dist/called_linux_amd64/called")...)
	r.mustCode(t, gha.ExitOK)
}

// TestLicenses gates on the licences Trivy finds for go.mod's modules.
func TestLicenses(t *testing.T) {
	skipShort(t)
	f := newFixture(t)
	ws, _ := workspace(t, "notcalled")
	base := f.args(t, "--paths", "mod", "--reachability", "false", "--fail-on", "CRITICAL")
	r := runCLI(t, ws, nil, append(base, "--licenses-forbidden", "BSD-3-Clause")...)
	r.mustCode(t, gha.ExitFindings)
	rep := r.report(t)
	if len(rep.Results) != 1 || len(rep.Results[0].Licenses) != 1 || rep.Results[0].Licenses[0].Package != "golang.org/x/text" || rep.Results[0].Licenses[0].Reason != "forbidden" {
		t.Fatalf("licence violations: %+v", rep.Results)
	}
	checkSARIF(t, filepath.Join(ws, "dist", "scan", "results.sarif"), 1)

	runCLI(t, ws, nil, append(base, "--licenses-allowed", "MIT,Apache-2.0")...).mustCode(t, gha.ExitFindings)
	runCLI(t, ws, nil, append(base, "--licenses-allowed", "BSD-3-Clause,MIT")...).mustCode(t, gha.ExitOK)
}

// TestRegistryImage scans a multi-arch index from a registry: one result per
// platform, and the combined SBOM.
func TestRegistryImage(t *testing.T) {
	skipShort(t)
	f := newFixture(t)
	ws, idx := workspace(t, "called")
	ref := f.host + "/example/called:1.0.0"
	pushIndex(t, ref, idx)
	r := runCLI(t, ws, nil, f.args(t, "--images", ref, "--reachability", "false", "--fail-on", "CRITICAL")...)
	r.mustCode(t, gha.ExitOK)
	rep := r.report(t)
	got := vulnsOf(rep)
	if len(rep.Results) != 2 || got[ref+" linux/amd64"].ID != fixtureCVE || got[ref+" linux/arm64"].ID != fixtureCVE {
		t.Fatalf("results %d, vulns %v", len(rep.Results), got)
	}
	d, _ := idx.Digest()
	if rep.Results[0].Subject.IndexDigest != d.String() {
		t.Errorf("index digest %q, want %s", rep.Results[0].Subject.IndexDigest, d)
	}
	if !strings.Contains(r.outputs(t)["sbom"], ".multiarch.cdx.json") {
		t.Errorf("no combined SBOM in outputs: %v", r.outputs(t))
	}
	doc := checkSARIF(t, filepath.Join(ws, "dist", "scan", "results.sarif"), 2)
	if !strings.Contains(mustJSON(t, doc), `"uri":"oci://`+ref+`"`) {
		t.Errorf("SARIF location of a registry image is not oci://%s", ref)
	}
}
