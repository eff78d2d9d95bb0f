package trivy

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/santhosh-tekuri/jsonschema/v6"
	spdxjson "github.com/spdx/tools-golang/json"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/scan"
)

func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: builds binaries, runs a registry, Trivy and govulncheck")
	}
}

// vulnsOf returns the fixture CVE's findings per subject name.
func vulnsOf(rep scan.Report) map[string]scan.Vulnerability {
	out := make(map[string]scan.Vulnerability)
	for _, r := range rep.Results {
		for _, v := range r.Vulns {
			if v.ID == fixtureCVE {
				out[r.Subject.Name] = v
			}
		}
	}
	return out
}

// TestGateFailsWhenCalled scans a dist whose binaries call the vulnerable
// function: the DB comes from the registry, every subject (two binaries,
// two image platforms, go.mod) reports CVE-2022-32149 HIGH fixed in 0.3.8,
// the gate fails with exit 3, and every report is written and recorded.
func TestGateFailsWhenCalled(t *testing.T) {
	skipShort(t)
	f := newFixture(t)
	ws, _ := workspace(t, "called")
	r := runCLI(t, ws, nil, f.args(t, "--module-dir", "mod")...)
	r.mustCode(t, gha.ExitFindings)

	rep := r.report(t)
	got := vulnsOf(rep)
	for _, name := range []string{"called linux/amd64", "called linux/arm64", "dist/oci linux/amd64", "dist/oci linux/arm64", "example.com/called (go.mod)"} {
		v, ok := got[name]
		if !ok {
			t.Errorf("%s: %s not reported; got %v", name, fixtureCVE, got)
			continue
		}
		if v.Severity != scan.SeverityHigh || v.Fixed != "0.3.8" || v.Installed != "v0.3.7" {
			t.Errorf("%s: %+v", name, v)
		}
		wantStatus := scan.StatusAffected
		if !v.Fails || v.Status != wantStatus {
			t.Errorf("%s: status %s fails %v: the called vulnerability must fail the gate", name, v.Status, v.Fails)
		}
	}
	if rep.Passed || rep.DB.Digest != f.digest || !rep.DB.Downloaded || rep.DB.Repository != f.repo {
		t.Errorf("report: passed %v db %+v (want digest %s, downloaded)", rep.Passed, rep.DB, f.digest)
	}
	out := r.outputs(t)
	if out["passed"] != "false" || out["db-digest"] != f.digest || out["cache-key"] != "slipway-trivy-db-"+strings.TrimPrefix(f.digest, "sha256:") || out["sarif"] != "dist/scan/results.sarif" {
		t.Errorf("outputs: %v", out)
	}
	var counts scan.Counts
	if err := json.Unmarshal([]byte(out["counts"]), &counts); err != nil || counts.High != 5 || counts.Failing != 5 {
		t.Errorf("counts %s (%v), want 5 HIGH failing", out["counts"], err)
	}
	if !strings.Contains(r.stderr, "error: dist/called_linux_amd64/called: CVE-2022-32149 HIGH: golang.org/x/text v0.3.7 in called linux/amd64: fixed in 0.3.8") {
		t.Errorf("no annotation on the binary:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "| HIGH | [CVE-2022-32149]") {
		t.Errorf("summary lacks the top finding:\n%s", r.stderr)
	}

	checkSARIF(t, filepath.Join(ws, "dist", "scan", "results.sarif"), 5)
	checkSBOMs(t, ws)
	checkManifest(t, r, f.digest)
}

// checkSARIF validates the file against the SARIF 2.1.0 schema and counts
// the fixture CVE's results.
func checkSARIF(t *testing.T, path string, want int) map[string]any {
	t.Helper()
	c := jsonschema.NewCompiler()
	sch, err := jsonschema.UnmarshalJSON(bytes.NewReader(readFile(t, filepath.Join("testdata", "sarif-schema-2.1.0.json"))))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("sarif.json", sch); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(readFile(t, path)))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(doc); err != nil {
		t.Fatalf("%s is not valid SARIF 2.1.0: %v", path, err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID       string `json:"ruleId"`
				Suppressions []any  `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(readFile(t, path), &log); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range log.Runs[0].Results {
		if r.RuleID == fixtureCVE {
			n++
		}
	}
	if n != want {
		t.Errorf("SARIF has %d results for %s, want %d", n, fixtureCVE, want)
	}
	return doc.(map[string]any)
}

// checkSBOMs decodes every SBOM with the reference libraries and checks the
// components, purls and platforms of the combined multi-arch SBOM.
func checkSBOMs(t *testing.T, ws string) {
	t.Helper()
	dir := filepath.Join(ws, "dist", "sbom")
	const textPURL = "pkg:golang/golang.org/x/text@v0.3.7"
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(readFile(t, filepath.Join(dir, "called_linux_arm64.cdx.json"))), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatal(err)
	}
	if bom.Components == nil || !slices.ContainsFunc(*bom.Components, func(c cdx.Component) bool { return c.PackageURL == textPURL }) {
		t.Errorf("CycloneDX SBOM of the arm64 binary lacks %s: %+v", textPURL, bom.Components)
	}

	var multi cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(readFile(t, filepath.Join(dir, "dist_oci.multiarch.cdx.json"))), cdx.BOMFileFormatJSON).Decode(&multi); err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, c := range *multi.Components {
		if c.PackageURL != textPURL {
			continue
		}
		count++
		var pls []string
		for _, p := range *c.Properties {
			if p.Name == scan.PlatformProperty {
				pls = append(pls, p.Value)
			}
		}
		if !slices.Equal(pls, []string{"linux/amd64", "linux/arm64"}) {
			t.Errorf("combined SBOM: x/text platforms %v", pls)
		}
	}
	if count != 1 {
		t.Errorf("combined SBOM lists x/text %d times, want once", count)
	}

	f, err := os.Open(filepath.Join(dir, "dist_oci.multiarch.spdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := spdxjson.Read(f)
	if err != nil {
		t.Fatalf("SPDX does not decode with tools-golang: %v", err)
	}
	found := false
	for _, p := range doc.Packages {
		if p.PackageName != "golang.org/x/text" {
			continue
		}
		found = true
		var pls []string
		for _, a := range p.Annotations {
			pls = append(pls, a.AnnotationComment)
		}
		if len(p.PackageExternalReferences) != 1 || p.PackageExternalReferences[0].Locator != textPURL || !slices.Equal(pls, []string{"platform: linux/amd64", "platform: linux/arm64"}) {
			t.Errorf("SPDX x/text package: refs %+v platforms %v", p.PackageExternalReferences, pls)
		}
	}
	if !found {
		t.Error("SPDX combined SBOM lacks golang.org/x/text")
	}
}

// checkManifest checks the scans section and that every file written is an
// artifact whose digest matches.
func checkManifest(t *testing.T, r result, digest string) {
	t.Helper()
	m := r.manifest(t)
	recs, err := scan.DecodeScans(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 {
		t.Fatalf("%d scan records, want 5: %+v", len(recs), recs)
	}
	for _, rec := range recs {
		if rec.DB.Digest != digest || rec.Passed || rec.Counts.High != 1 {
			t.Errorf("record %+v", rec)
		}
	}
	kinds := map[manifest.Kind]int{}
	for _, a := range m.Artifacts {
		kinds[a.Kind]++
	}
	// 5 subjects + 1 combined image, each in two formats.
	if kinds[scan.KindSBOM] != 12 || kinds[scan.KindSARIF] != 1 || kinds[scan.KindReport] != 1 {
		t.Errorf("artifact kinds %v", kinds)
	}
	if err := m.Verify(t.Context(), filepath.Join(r.ws, "dist")); err != nil {
		t.Errorf("manifest does not verify: %v", err)
	}
}

// TestReachability: the same dependency, never called, is reported as not
// affected and does not fail the gate; a second run with the cache restored
// downloads nothing.
func TestReachability(t *testing.T) {
	skipShort(t)
	f := newFixture(t)
	ws, _ := workspace(t, "notcalled")
	cache := t.TempDir()
	args := []string{"--db-repository", f.repo, "--vuln-db", f.vulnDB, "--cache-dir", cache, "--module-dir", "mod", "--paths", "dist/notcalled_linux_amd64/notcalled,dist/oci"}
	r := runCLI(t, ws, nil, args...)
	r.mustCode(t, gha.ExitOK)
	rep := r.report(t)
	v, ok := vulnsOf(rep)["notcalled linux/amd64"]
	if !ok {
		t.Fatalf("the not-called vulnerability must stay in the report: %+v", rep.Results)
	}
	if v.Status != scan.StatusNotAffected || v.Fails || v.Note != scan.NoteNotCalled || v.Justification != scan.JustificationNotCalled {
		t.Errorf("vulnerability %+v, want not affected — vulnerable code not called", v)
	}
	// The go.mod and the module's binaries inside the image layout too.
	for _, name := range []string{"example.com/notcalled (go.mod)", "dist/oci linux/amd64", "dist/oci linux/arm64"} {
		if v, ok := vulnsOf(rep)[name]; !ok || v.Status != scan.StatusNotAffected {
			t.Errorf("%s: finding %+v, want not affected", name, v)
		}
	}
	doc := checkSARIF(t, filepath.Join(ws, "dist", "scan", "results.sarif"), 4)
	if !strings.Contains(mustJSON(t, doc), `"justification":"not affected — vulnerable code not called"`) {
		t.Errorf("SARIF lacks the suppression")
	}
	if !rep.DB.Downloaded {
		t.Error("first run did not download the DB")
	}

	// Second run, same cache: no download.
	r2 := runCLI(t, ws, nil, args...)
	r2.mustCode(t, gha.ExitOK)
	if rep2 := r2.report(t); rep2.DB.Downloaded || rep2.DB.Digest != f.digest {
		t.Errorf("second run: db %+v, want the cached %s, not downloaded", rep2.DB, f.digest)
	}

	// Reachability off: the same vulnerability fails the gate.
	r3 := runCLI(t, ws, nil, append(args, "--reachability", "false")...)
	r3.mustCode(t, gha.ExitFindings)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
