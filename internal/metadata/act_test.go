package metadata

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// standIns maps the remote actions the e2e workflow (and the composite
// actions) use, pinned by SHA, to the local stand-ins under
// testdata/standins: act cannot clone them offline.
var standIns = map[string]string{
	"actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683": "checkout",
	"actions/setup-go@d35c59abb061a4a6fb18e82ac0862c26744d6ab5": "setup-go",
	CacheAction: "cache",
	"actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02":   "upload-artifact",
	"actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093": "download-artifact",
}

// e2ePassword is the COSIGN_PASSWORD secret of the e2e run's throwaway keys.
const e2ePassword = "slipway-e2e-not-a-secret"

// TestActEndToEnd runs testdata/act/e2e.yml with act on this host: the five
// composite actions resolve (build) their binaries from the action's source
// and run the whole release of examples/hello — plan, a matrix of build
// jobs, merge, verify-mod, an OCI layout and a scan with a Trivy DB served
// by a registry on 127.0.0.1, a push to that registry, signing with a
// generated key, verification (and a verification with the wrong key that
// must fail) — passing outputs between steps and jobs. The results are
// checked against the manifest, the files and the registry.
func TestActEndToEnd(t *testing.T) {
	t.Parallel()
	act := testutil.Tool(t, "act")
	reg := testutil.StartRegistry(t, testutil.RegistryOptions{})
	fixture := trivyFixture(t)
	dbDigest := pushTrivyDB(t, reg.Host, fixture)

	artifacts := t.TempDir()
	log := runAct(t, act, "e2e.yml", artifacts, reg.Host, fixture)
	defer func() {
		if t.Failed() {
			t.Logf("act output:\n%s", log)
		}
	}()
	for _, want := range []string{
		"Build build-matrix from the action's source",
		"Build verify-mod from the action's source",
		"Build publish from the action's source",
		"Build scan from the action's source",
		"Build sign from the action's source",
		"windows_amd64.zip: OK",
		"Job succeeded",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("act output lacks %q", want)
		}
	}

	// Outputs passed from step to job to the report job.
	outs := readOutputs(t, filepath.Join(artifacts, "outputs", "outputs.env"))
	signed := filepath.Join(artifacts, "signed")
	m, err := manifest.Load(filepath.Join(signed, manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Verify(t.Context(), signed); err != nil {
		t.Error(err)
	}
	wantOuts := map[string]string{
		"MATRIX":            `{"include":[{"shard":"linux-amd64","runner":"ubuntu-latest","targets":"linux/amd64"},{"shard":"ubuntu-latest-2","runner":"ubuntu-latest","targets":"linux/arm64,windows/amd64"}]}`,
		"VERSION":           m.Project.Version,
		"VERIFY_MOD_PASSED": "true",
		"SCAN_PASSED":       "true",
		"DB_DIGEST":         dbDigest,
		"LAYOUT":            "dist/oci",
		"DIGEST":            outs["DIGEST"], // checked against the manifest and the registry below
		"TAGS":              outs["TAGS"],   // read back from the registry below
		"PUBLIC_KEY":        "keys/cosign.pub",
		"VERIFIED":          "success",
		"WRONG_KEY":         "failure",
	}
	if d := cmp.Diff(wantOuts, outs); d != "" {
		t.Errorf("outputs passed to the report job (-want +got):\n%s", d)
	}
	if m.Project.Version == "" {
		t.Error("the manifest has no version")
	}

	// build-matrix: every shard's binaries reached the final dist.
	var plats []string
	for _, a := range m.ByKind(manifest.KindBinary) {
		plats = append(plats, a.Platform())
	}
	slices.Sort(plats)
	if d := cmp.Diff([]string{"linux/amd64", "linux/arm64", "windows/amd64"}, plats); d != "" {
		t.Errorf("platforms (-want +got):\n%s", d)
	}
	checkSections(t, m, reg.Host, outs["DIGEST"], dbDigest)
	checkRegistry(t, reg.Host, "e2e/hello", outs["DIGEST"], outs["TAGS"])
}

// runAct runs testdata/act/<workflow> with act on this host in a fresh
// repository, with the registry, the fixture DBs, the artifacts directory
// and the key password, and returns act's output; act failing fails t.
func runAct(t *testing.T, act, workflow, artifacts, registry, fixture string) string {
	t.Helper()
	repo := e2eRepo(t, workflow)
	home := t.TempDir()
	args := []string{"push", "-W", ".github/workflows/" + workflow, "-P", "ubuntu-latest=-self-hosted", "--no-cache-server",
		"--env", "SLIPWAY_ACT_ARTIFACTS=" + artifacts,
		"--env", "REGISTRY=" + registry,
		"--env", "VULN_DB=file://" + filepath.Join(fixture, "vulndb"),
		"--secret", "COSIGN_PASSWORD=" + e2ePassword}
	for _, k := range []string{"GOCACHE", "GOMODCACHE", "GOPROXY", "GOFLAGS"} {
		args = append(args, "--env", k+"="+goEnv(t, k))
	}
	abs, err := filepath.Abs(filepath.Join("testdata", "standins"))
	if err != nil {
		t.Fatal(err)
	}
	for ref, dir := range standIns {
		args = append(args, "--local-repository", ref+"="+filepath.Join(abs, dir))
	}
	cmd := exec.Command(act, args...)
	cmd.Dir = repo
	// act keeps its work trees and tool cache under HOME: a temporary one.
	cmd.Env = append(os.Environ(), "HOME="+home, "GITHUB_ACTIONS=", "GITHUB_WORKSPACE=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("act: %v\n%s", err, out)
	}
	if strings.Contains(string(out), e2ePassword) {
		t.Error("act output shows the key password")
	}
	return string(out)
}

// e2eRepo lays out a git repository with what the workflow needs: the
// actions (and the root action), every command's source, examples/hello and
// the workflow.
func e2eRepo(t *testing.T, workflow string) string {
	t.Helper()
	root := testutil.RepoRoot(t)
	repo := filepath.Join(t.TempDir(), "repo")
	for _, d := range []string{"actions", "cmd", "internal", "examples/hello"} {
		testutil.CopyDir(t, filepath.Join(root, d), filepath.Join(repo, d))
	}
	for src, dst := range map[string]string{
		filepath.Join(root, "go.mod"):              "go.mod",
		filepath.Join(root, "go.sum"):              "go.sum",
		filepath.Join(root, "action.yml"):          "action.yml",
		filepath.Join("testdata", "act", workflow): ".github/workflows/" + workflow,
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(repo, dst)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, dst), testutil.ReadFile(t, src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, ".gitignore"), []byte("dist/\nmerged/\nshards/\nkeys/\noutputs/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testutil.Git(t, repo, "init", "-q", "-b", "main")
	testutil.Git(t, repo, "add", "-A")
	testutil.Git(t, repo, "commit", "-q", "-m", "e2e")
	return repo
}

// trivyFixture writes the scan package's fixture Trivy DB (one advisory:
// golang.org/x/text < 0.3.8) and govulncheck DB into a directory, with the
// fixture test of the nested Trivy module (GOEXPERIMENT=jsonv2).
func trivyFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "test", "-count=1", "-run", "^TestWriteBenchFixture$", ".")
	cmd.Dir = filepath.Join(testutil.RepoRoot(t), "internal", "scan", "trivy")
	cmd.Env = append(os.Environ(), "SLIPWAY_SCAN_FIXTURE_DIR="+dir, "GOEXPERIMENT=jsonv2")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("writing the Trivy fixture: %v\n%s", err, out)
	}
	return dir
}

// pushTrivyDB pushes the fixture DB to host/aquasec/trivy-db:2 as Trivy
// publishes it (one layer db.tar.gz holding trivy.db and metadata.json) with
// regctl, and returns the manifest digest the registry serves.
func pushTrivyDB(t *testing.T, host, fixture string) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, n := range []string{"trivy.db", "metadata.json"} {
		data := testutil.ReadFile(t, filepath.Join(fixture, "db", n))
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(data)), ModTime: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "db.tar.gz"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := host + "/aquasec/trivy-db:2"
	cmd := exec.Command(testutil.Tool(t, "regctl"), "--host", "reg="+host+",tls=disabled", "artifact", "put",
		"--config-type", "application/vnd.aquasec.trivy.config.v1+json",
		"--file-media-type", "application/vnd.aquasec.trivy.db.layer.v1.tar+gzip",
		"--file", "db.tar.gz", "--file-title", ref)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("regctl artifact put: %v\n%s", err, out)
	}
	digest, _ := getManifest(t, host, "aquasec/trivy-db", "2")
	return digest
}

// getManifest reads repo:ref back from the registry and returns its digest,
// computed from the bytes served (and checked against the registry's
// Docker-Content-Digest), and the manifest.
func getManifest(t *testing.T, host, repo, ref string) (string, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+host+"/v2/"+repo+"/manifests/"+ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s:%s: %s\n%s", repo, ref, resp.Status, body)
	}
	sum := sha256.Sum256(body)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	if h := resp.Header.Get("Docker-Content-Digest"); h != digest {
		t.Errorf("%s:%s: the registry says %s, the bytes hash to %s", repo, ref, h, digest)
	}
	return digest, body
}

func readOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	outs := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(testutil.ReadFile(t, path)))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			outs[k] = v
		}
	}
	return outs
}

// checkSections checks each action's section of the final manifest against
// the outputs and the fixtures: verify-mod's module, scan's scans (with the
// DB the registry served), publish's images, index and published refs, and
// sign's signatures (each file signature present in dist).
func checkSections(t *testing.T, m *manifest.Manifest, host, digest, dbDigest string) {
	t.Helper()
	var module struct {
		Passed  bool
		Modules []struct{ Path, Dir string }
	}
	var scans []struct {
		Subject, Kind, Platform string
		DB                      struct{ Repository, Digest string }
		Passed                  bool
	}
	var images []struct{ Platform, Digest string }
	var index struct {
		Digest    string
		Platforms []string
	}
	var published []struct{ Ref, Digest, Kind string }
	var sigs []struct{ Subject, Kind, Digest, Signature, Bundle, PredicateType string }
	for _, s := range []struct {
		name string
		raw  json.RawMessage
		v    any
	}{{"module", m.Module, &module}, {"scans", m.Scans, &scans}, {"images", m.Images, &images}, {"index", m.Index, &index}, {"published", m.Published, &published}, {"signatures", m.Signatures, &sigs}} {
		if len(s.raw) == 0 {
			t.Errorf("the manifest has no %s section", s.name)
			continue
		}
		if err := json.Unmarshal(s.raw, s.v); err != nil {
			t.Errorf("%s section: %v", s.name, err)
		}
	}

	if !module.Passed || len(module.Modules) != 1 || module.Modules[0].Path != "example.com/hello" {
		t.Errorf("module section: %+v", module)
	}

	var scanned []string
	for _, s := range scans {
		scanned = append(scanned, s.Kind+" "+s.Platform)
		if !s.Passed || s.DB.Digest != dbDigest || s.DB.Repository != host+"/aquasec/trivy-db:2" {
			t.Errorf("scan of %s: passed %v with DB %+v, want passed with %s from the registry", s.Subject, s.Passed, s.DB, dbDigest)
		}
	}
	slices.Sort(scanned)
	if d := cmp.Diff([]string{"binary linux/amd64", "binary linux/arm64", "binary windows/amd64", "gomod ", "image linux/amd64", "image linux/arm64"}, scanned); d != "" {
		t.Errorf("scanned subjects (-want +got):\n%s", d)
	}

	if index.Digest != digest || !slices.Equal(index.Platforms, []string{"linux/amd64", "linux/arm64"}) {
		t.Errorf("index section %+v, want digest %s (publish's output) for linux/amd64, linux/arm64", index, digest)
	}
	if len(images) != 2 {
		t.Errorf("images section: %+v, want 2 platforms", images)
	}
	if !slices.Contains(published, struct{ Ref, Digest, Kind string }{host + "/e2e/hello@" + digest, digest, "image-index"}) {
		t.Errorf("published section lacks the index pushed by digest %s: %+v", digest, published)
	}

	paths := map[string]bool{}
	for _, a := range m.Artifacts {
		paths[a.Path] = true
	}
	kinds := map[string]int{}
	for _, s := range sigs {
		kinds[s.Kind]++
		if s.Kind == "blob" {
			if !paths[s.Signature] || !paths[s.Bundle] {
				t.Errorf("blob signature of %s: %q or %q is not an artifact of the manifest", s.Subject, s.Signature, s.Bundle)
			}
		}
	}
	wantImages := 1 + len(images) // the index and each platform
	if kinds["blob"] == 0 || kinds["image-index"] != 1 || kinds["image"] != len(images) || kinds["attestation"] < wantImages {
		t.Errorf("signatures by kind %v: want blobs, 1 image-index, %d images and at least %d attestations", kinds, len(images), wantImages)
	}
}

// checkRegistry reads the pushed index back from the registry by tag and by
// digest, and finds cosign's signature on it: the .sig tag, whose payload
// names the digest.
func checkRegistry(t *testing.T, host, repo, digest, tagsJSON string) {
	t.Helper()
	var tags []string
	if err := json.Unmarshal([]byte(tagsJSON), &tags); err != nil || len(tags) == 0 {
		t.Fatalf("publish's tags output %q: %v", tagsJSON, err)
	}
	for _, ref := range []string{digest, tags[0]} {
		if got, _ := getManifest(t, host, repo, ref); got != digest {
			t.Errorf("%s/%s:%s is %s in the registry, publish output %s", host, repo, ref, got, digest)
		}
	}
	_, body := getManifest(t, host, repo, strings.Replace(digest, ":", "-", 1)+".sig")
	var sig struct {
		Layers []struct {
			MediaType, Digest string
		}
	}
	if err := json.Unmarshal(body, &sig); err != nil || len(sig.Layers) == 0 {
		t.Fatalf("signature manifest: %v\n%s", err, body)
	}
	l := sig.Layers[0]
	if l.MediaType != "application/vnd.dev.cosign.simplesigning.v1+json" {
		t.Errorf("signature layer media type %s", l.MediaType)
	}
	resp, err := http.Get(fmt.Sprintf("http://%s/v2/%s/blobs/%s", host, repo, l.Digest))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	payload, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Critical struct {
			Image struct {
				Digest string `json:"docker-manifest-digest"`
			}
		}
	}
	if err := json.Unmarshal(payload, &p); err != nil || p.Critical.Image.Digest != digest {
		t.Errorf("signature payload names %q, want %s (%v):\n%s", p.Critical.Image.Digest, digest, err, payload)
	}
}

// TestActRootAction runs the root action (uses: ./) under act in one job
// on examples/hello: every stage runs (the binaries built from source), the
// image it pushed verifies with the key on every platform, and the dist it
// leaves has each action's section: module, builds of the three targets,
// images and index, scans with the fixture DB, file signatures.
func TestActRootAction(t *testing.T) {
	t.Parallel()
	act := testutil.Tool(t, "act")
	reg := testutil.StartRegistry(t, testutil.RegistryOptions{})
	fixture := trivyFixture(t)
	dbDigest := pushTrivyDB(t, reg.Host, fixture)
	artifacts := t.TempDir()
	log := runAct(t, act, "root.yml", artifacts, reg.Host, fixture)
	defer func() {
		if t.Failed() {
			t.Logf("act output:\n%s", log)
		}
	}()
	for _, want := range []string{
		"Verify go.mod and go.sum", "Build every target", "Build the images into an OCI layout for the scan",
		"Scan binaries, module and images", "Sign the files", "Publish", "Sign the pushed images", "Job succeeded",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("act output lacks the stage %q", want)
		}
	}
	outs := readOutputs(t, filepath.Join(artifacts, "root", "outputs.env"))
	if outs["VERIFIED"] != "success" || !strings.HasPrefix(outs["DIGEST"], "sha256:") || outs["VERSION"] == "" || outs["SARIF"] == "" {
		t.Errorf("root action outputs: %v", outs)
	}
	dist := filepath.Join(artifacts, "root", "dist")
	m, err := manifest.Load(filepath.Join(dist, manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Verify(t.Context(), dist); err != nil {
		t.Error(err)
	}
	var plats []string
	for _, a := range m.ByKind(manifest.KindBinary) {
		plats = append(plats, a.Platform())
	}
	slices.Sort(plats)
	if d := cmp.Diff([]string{"darwin/arm64", "linux/amd64", "linux/arm64"}, plats); d != "" {
		t.Errorf("platforms (-want +got):\n%s", d)
	}
	for name, section := range map[string][]byte{"module": m.Module, "images": m.Images, "index": m.Index, "scans": m.Scans, "signatures": m.Signatures, "published": m.Published} {
		if len(section) == 0 || string(section) == "null" || string(section) == "[]" {
			t.Errorf("the manifest has no %s section", name)
		}
	}
	if !strings.Contains(string(m.Scans), dbDigest) {
		t.Errorf("the scans section does not name the fixture DB %s", dbDigest)
	}
	if got, _ := getManifest(t, reg.Host, "root/hello", outs["DIGEST"]); got != outs["DIGEST"] {
		t.Errorf("the registry serves %s for the digest the root action output (%s)", got, outs["DIGEST"])
	}
}
