package sign

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// writeManifestDist lays out dist as build-matrix leaves it: two binaries
// and a checksums file recorded in manifest.json.
func writeManifestDist(t *testing.T, ws string) {
	t.Helper()
	m := manifest.New(manifest.Project{Module: "example.com/hello", Name: "hello", Version: "1.0.0", CommitTime: time.Unix(1700000000, 0).UTC()})
	for _, f := range []struct {
		path, arch string
		kind       manifest.Kind
		data       string
	}{
		{"hello_linux_amd64/hello", "amd64", manifest.KindBinary, "amd64 binary"},
		{"hello_linux_arm64/hello", "arm64", manifest.KindBinary, "arm64 binary"},
		{"hello_1.0.0_checksums.txt", "", manifest.KindChecksums, "sums"},
	} {
		p := filepath.Join(ws, "dist", filepath.FromSlash(f.path))
		writeFile(t, p, []byte(f.data))
		sum, size, err := manifest.HashFile(p)
		if err != nil {
			t.Fatal(err)
		}
		a := manifest.Artifact{Name: "hello", Kind: f.kind, Path: f.path, SHA256: sum, Size: size}
		if f.arch != "" {
			a.GOOS, a.GOARCH = "linux", f.arch
		}
		m.Add(a)
	}
	if err := manifest.Save(filepath.Join(ws, "dist", manifest.FileName), m); err != nil {
		t.Fatal(err)
	}
}

// TestManifestSubjects signs what the manifest records (the checksums file
// first), records the signatures and the public key in it, verifies them
// (the provenance over all files counts as a subject), and refuses to sign
// a file that no longer has its recorded digest.
func TestManifestSubjects(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	writeManifestDist(t, ws)
	env := map[string]string{"COSIGN_PASSWORD": "pw"}
	runCLI(t, ws, env, "--mode", "generate-key", "--key", "k1.key").mustCode(t, 0)
	runCLI(t, ws, env, "--mode", "generate-key", "--key", "k2.key").mustCode(t, 0)
	r := runCLI(t, ws, env, "--key", "k1.key")
	r.mustCode(t, 0)
	if i, j := strings.Index(r.stdout, "hello_1.0.0_checksums.txt"), strings.Index(r.stdout, "hello_linux_amd64/hello"); i < 0 || j < 0 || i > j {
		t.Errorf("the checksums file is not signed first:\n%s", r.stdout)
	}
	m, err := manifest.Load(filepath.Join(ws, "dist", manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[manifest.Kind]int{}
	for _, a := range m.Artifacts {
		kinds[a.Kind]++
	}
	// 3 .sig + 3 bundles + the provenance bundle; the public key.
	if kinds[KindSignature] != 3 || kinds[KindBundle] != 4 || kinds[KindPublicKey] != 1 {
		t.Errorf("manifest artifacts by kind: %v", kinds)
	}
	if err := m.Verify(t.Context(), filepath.Join(ws, "dist")); err != nil {
		t.Errorf("the manifest does not match dist after signing: %v", err)
	}

	runCLI(t, ws, nil, "--mode", "verify", "--public-key", "dist/sig/cosign.pub").mustCode(t, 0)
	r = runCLI(t, ws, nil, "--mode", "verify", "--public-key", "k2.pub")
	r.mustCode(t, 3)
	if !strings.Contains(r.stderr, "4 of 4 subjects failed verification") {
		t.Errorf("want every file and the provenance counted once:\n%s", r.stderr)
	}

	// A binary changed after the build: nothing is signed.
	writeFile(t, filepath.Join(ws, "dist", "hello_linux_arm64", "hello"), []byte("arm64 binary, patched"))
	before := testutil.ReadFile(t, filepath.Join(ws, "dist", "sig", "hello_linux_amd64", "hello.sig"))
	r = runCLI(t, ws, env, "--key", "k2.key")
	r.mustCode(t, 3)
	if !strings.Contains(r.stderr, "hello_linux_arm64/hello") || !strings.Contains(r.stderr, "refusing to sign") {
		t.Errorf("the refusal does not name the file:\n%s", r.stderr)
	}
	if after := testutil.ReadFile(t, filepath.Join(ws, "dist", "sig", "hello_linux_amd64", "hello.sig")); string(after) != string(before) {
		t.Error("a signature was rewritten although the run refused")
	}
	if _, err := os.Stat(filepath.Join(ws, "dist", "sig", "cosign.pub")); err != nil {
		t.Error(err)
	}
}
