package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/testutil"
)

func TestCompileFailureAnnotatesAndKeepsOthers(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles")
	}
	t.Parallel()
	ws := t.TempDir()
	repo := filepath.Join(ws, "src", "broken")
	testutil.GitRepo(t, "testdata/broken", repo, "v0.1.0")
	r := runCLI(t, ws, nil, "--module-dir", "src/broken", "--targets", "linux/amd64,windows/amd64,linux/arm64", "--dist", "out")
	r.mustCode(t, gha.ExitFailure)
	// The compiler error is an annotation on the file and line, relative to the workspace.
	if !strings.Contains(r.stderr, "error: src/broken/windows.go:6:9: broken does not compile for windows/amd64: undefined: undefinedOnWindows") {
		t.Errorf("no annotation with file and line:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "| windows/amd64 | — | — | — | **failed** | — |") || !strings.Contains(r.stderr, "1 of 3 targets failed to build: windows/amd64") {
		t.Errorf("summary does not show the failed target:\n%s", r.stderr)
	}
	m := loadManifest(t, filepath.Join(ws, "out"))
	for _, a := range m.Artifacts {
		if a.GOOS == "windows" {
			t.Errorf("the manifest lists %s of the failed target", a.Path)
		}
	}
	if got := len(m.ByKind(manifest.KindBinary)); got != 2 {
		t.Errorf("%d binaries in the manifest, want the 2 that built", got)
	}
	sums := string(readFile(t, filepath.Join(ws, "out", "broken_0.1.0_checksums.txt")))
	if strings.Contains(sums, "windows") || strings.Count(sums, "\n") != 2 {
		t.Errorf("checksums:\n%s", sums)
	}
	// No staging leftovers.
	entries, _ := os.ReadDir(filepath.Join(ws, "out"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("leftover %s in dist", e.Name())
		}
	}
}

func TestVerifyReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuilds with an empty GOCACHE")
	}
	t.Parallel()
	repo, _ := helloRepo(t, t.TempDir())
	r := runCLI(t, repo, vcsEnv, "--targets", "linux/amd64", "--dist", "dist", "--verify-reproducible")
	r.mustCode(t, 0)
	if !strings.Contains(r.stderr, "reproducible: 3 artifacts rebuilt byte for byte") {
		t.Errorf("no reproducibility report:\n%s", r.stderr)
	}
	// The check can fail: without -trimpath the binary holds its directory,
	// so the rebuild at another path differs and names the target.
	bad := runCLI(t, repo, vcsEnv, "--targets", "linux/amd64", "--dist", "dist", "--verify-reproducible", "--flags", "-trimpath=false")
	bad.mustCode(t, gha.ExitFindings)
	for _, want := range []string{"not reproducible", "hello_linux_amd64/hello (binary hello linux/amd64): sha256", "artifacts differ when rebuilt at another path"} {
		if !strings.Contains(bad.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, bad.stderr)
		}
	}
}
