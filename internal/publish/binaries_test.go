package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// addBinary adds a second binary to dist for the given linux arches.
func addBinary(t *testing.T, ws, name string, arches ...string) {
	t.Helper()
	dist := filepath.Join(ws, "dist")
	m := loadManifest(t, dist)
	for _, arch := range arches {
		rel := name + "_linux_" + arch + "/" + name
		data := []byte("#!" + name + " for " + arch)
		if err := os.MkdirAll(filepath.Join(dist, filepath.Dir(rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dist, rel), data, 0o755); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		m.Add(manifest.Artifact{Name: name, Kind: manifest.KindBinary, Path: rel, GOOS: "linux", GOARCH: arch, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))})
	}
	if err := manifest.Save(filepath.Join(dist, manifest.FileName), m); err != nil {
		t.Fatal(err)
	}
}

// TestSeveralBinaries packages two binaries of the manifest in each
// platform image (a tool suite in one image): both files are in every
// image, each the build for that platform, the first is the entrypoint,
// and the images section lists both. A binary missing for one platform,
// and path with several binaries, are usage errors.
func TestSeveralBinaries(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	repo := strings.TrimPrefix(srv.URL, "http://") + "/suite/hello"
	ws := t.TempDir()
	writeDist(t, ws, "dist", fixtureProject("1.0.0", "refs/tags/v1.0.0"), amd64, arm64)
	addBinary(t, ws, "helper", "amd64", "arm64")
	runCLI(t, ws, nil, nil, "--repository", repo, "--base", "scratch", "--binary", "hello,helper", "--tag-strategy", "none", "--tags", "v1").mustCode(t, 0)

	m := loadManifest(t, filepath.Join(ws, "dist"))
	var recs []ImageRecord
	if err := json.Unmarshal(m.Images, &recs); err != nil || len(recs) != 2 {
		t.Fatalf("images section: %d records, %v", len(recs), err)
	}
	crane := testutil.Tool(t, "crane")
	for _, rec := range recs {
		if len(rec.Binaries) != 2 || rec.Binaries[1].Path != "/usr/local/bin/helper" {
			t.Errorf("%s: binaries %+v", rec.Platform, rec.Binaries)
		}
		ref := repo + "@" + rec.Digest
		var cfg struct {
			Config struct{ Entrypoint []string } `json:"config"`
		}
		if err := json.Unmarshal([]byte(runTool(t, crane, "config", ref)), &cfg); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]string{"/usr/local/bin/hello"}, cfg.Config.Entrypoint); d != "" {
			t.Errorf("%s entrypoint: %s", rec.Platform, d)
		}
		for _, b := range rec.Binaries {
			sum, _ := imageFile(t, crane, ref, b.Path)
			if sum != b.BinarySHA256 || sum != fileSHA256(t, filepath.Join(ws, "dist", filepath.FromSlash(b.Binary))) {
				t.Errorf("%s: %s in the image is not %s", rec.Platform, b.Path, b.Binary)
			}
		}
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"missing platform", []string{"--binary", "hello,lonely"}, `input "binary": lonely has no linux/arm64 build to go beside hello (it has linux/amd64)`},
		{"path with several", []string{"--binary", "hello,helper", "--path", "/app"}, `input "path": path places one binary`},
		{"unknown", []string{"--binary", "hello,nope"}, `input "binary": "nope" is not a binary in the manifest`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := t.TempDir()
			writeDist(t, ws, "dist", fixtureProject("1.0.0", "refs/tags/v1.0.0"), amd64, arm64)
			addBinary(t, ws, "helper", "amd64", "arm64")
			addBinary(t, ws, "lonely", "amd64")
			r := runCLI(t, ws, nil, nil, append([]string{"--base", "scratch"}, tc.args...)...)
			r.mustCode(t, gha.ExitUsage)
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, r.stderr)
			}
		})
	}
}
