package trivy

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	bolt "go.etcd.io/bbolt"

	"github.com/slipway-dev/slipway/internal/manifest"
)

// The fixture advisory: golang.org/x/text before 0.3.8, CVE-2022-32149
// (GO-2022-1059, GHSA-69ch-w2m2-3vjp), HIGH.
const (
	fixtureCVE  = "CVE-2022-32149"
	fixtureGO   = "GO-2022-1059"
	fixtureGHSA = "GHSA-69ch-w2m2-3vjp"
)

// startRegistry serves go-containerregistry's in-memory registry on
// 127.0.0.1 and returns its host:port; the test stops it.
func startRegistry(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(nilLogger())))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// dbFiles builds trivy.db (bbolt, Trivy's layout) and metadata.json with
// the fixture advisory; severity lets two DBs differ.
func dbFiles(t *testing.T, severity string) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, "trivy.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	put := func(tx *bolt.Tx, path []string, key string, v any) error {
		b, err := tx.CreateBucketIfNotExists([]byte(path[0]))
		if err != nil {
			return err
		}
		for _, p := range path[1:] {
			if b, err = b.CreateBucketIfNotExists([]byte(p)); err != nil {
				return err
			}
		}
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), data)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		src := "go::GitHub Security Advisory Go"
		if err := put(tx, []string{src, "golang.org/x/text"}, fixtureCVE, map[string]any{"PatchedVersions": []string{"0.3.8"}, "VulnerableVersions": []string{"< 0.3.8"}}); err != nil {
			return err
		}
		if err := put(tx, []string{"data-source"}, src, map[string]any{"ID": "ghsa", "Name": "GitHub Security Advisory Go", "URL": "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Ago"}); err != nil {
			return err
		}
		return put(tx, []string{"vulnerability"}, fixtureCVE, map[string]any{
			"Title":          "golang.org/x/text/language: ParseAcceptLanguage takes a long time to parse complex tags",
			"Description":    "An attacker may cause a denial of service by crafting an Accept-Language header which ParseAcceptLanguage will take significant time to parse.",
			"Severity":       severity,
			"VendorSeverity": map[string]int{"ghsa": map[string]int{"LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}[severity]},
			"References":     []string{"https://github.com/advisories/" + fixtureGHSA, "https://pkg.go.dev/vuln/" + fixtureGO},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	meta, _ := json.Marshal(map[string]any{"Version": 2, "NextUpdate": now.Add(24 * time.Hour), "UpdatedAt": now.Add(-time.Hour), "DownloadedAt": time.Time{}})
	return map[string][]byte{"trivy.db": readFile(t, filepath.Join(dir, "trivy.db")), "metadata.json": meta}
}

func tarGz(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, n := range []string{"trivy.db", "metadata.json"} {
		if data, ok := files[n]; ok {
			if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(data)), ModTime: time.Unix(0, 0)}); err != nil {
				t.Fatal(err)
			}
			if _, err := tw.Write(data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pushDB pushes blob as Trivy's DB artifact to host/repo:tag and returns the
// manifest digest.
func pushDB(t *testing.T, ref string, blob []byte) string {
	t.Helper()
	layer := static.NewLayer(blob, types.MediaType(dbMediaType))
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: layer, Annotations: map[string]string{"org.opencontainers.image.title": "db.tar.gz"}})
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, "application/vnd.aquasec.trivy.config.v1+json")
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// vulnDB writes a govulncheck DB (the file:// OSV layout) with GO-2022-1059
// and returns its URL.
func vulnDB(t *testing.T) string {
	t.Helper()
	return vulnDBAt(t, t.TempDir())
}

// vulnDBAt writes the govulncheck DB into dir.
func vulnDBAt(t *testing.T, dir string) string {
	t.Helper()
	mod := "2023-02-01T00:00:00Z"
	files := map[string]any{
		"index/db.json":      map[string]string{"modified": mod},
		"index/modules.json": []any{map[string]any{"path": "golang.org/x/text", "vulns": []any{map[string]string{"id": fixtureGO, "modified": mod, "fixed": "0.3.8"}}}},
		"index/vulns.json":   []any{map[string]any{"id": fixtureGO, "modified": mod, "aliases": []string{fixtureCVE, fixtureGHSA}}},
		"ID/" + fixtureGO + ".json": map[string]any{
			"schema_version": "1.3.1", "id": fixtureGO, "modified": mod, "published": "2022-10-11T00:00:00Z",
			"aliases": []string{fixtureCVE, fixtureGHSA}, "summary": "Denial of service via crafted Accept-Language header in golang.org/x/text/language",
			"details": "An attacker may cause a denial of service by crafting an Accept-Language header which ParseAcceptLanguage will take significant time to parse.",
			"affected": []any{map[string]any{
				"package":            map[string]string{"name": "golang.org/x/text", "ecosystem": "Go"},
				"ranges":             []any{map[string]any{"type": "SEMVER", "events": []any{map[string]string{"introduced": "0"}, map[string]string{"fixed": "0.3.8"}}}},
				"ecosystem_specific": map[string]any{"imports": []any{map[string]any{"path": "golang.org/x/text/language", "symbols": []string{"MatchStrings", "MustParse", "Parse", "ParseAcceptLanguage"}}}},
			}},
		},
	}
	for p, v := range files {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, filepath.FromSlash(p)), b)
	}
	return "file://" + dir
}

// workspace copies a testdata module to ws/mod, builds it for
// linux/amd64 and linux/arm64 into ws/dist with a manifest, and writes a
// two-platform OCI layout of it to ws/dist/oci. It returns the index.
func workspace(t *testing.T, module string) (ws string, idx v1.ImageIndex) {
	t.Helper()
	ws = t.TempDir()
	mod := filepath.Join(ws, "mod")
	copyDir(t, filepath.Join("testdata", module), mod)
	dist := filepath.Join(ws, "dist")
	m := manifest.New(manifest.Project{Module: "example.com/" + module, Name: module, Version: "1.0.0", CommitTime: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)})
	idx = mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, arch := range []string{"amd64", "arm64"} {
		rel := module + "_linux_" + arch + "/" + module
		out := filepath.Join(dist, filepath.FromSlash(rel))
		cmd := exec.Command("go", "build", "-trimpath", "-o", out, ".")
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", arch, err, b)
		}
		sum, size, err := manifest.HashFile(out)
		if err != nil {
			t.Fatal(err)
		}
		m.Add(manifest.Artifact{Name: module, Kind: manifest.KindBinary, Path: rel, GOOS: "linux", GOARCH: arch, SHA256: sum, Size: size})

		img := layerImage(t, arch, []string{"/app/" + module}, imageFile{"app/" + module, readFile(t, out), 0o755})
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	if err := manifest.Save(filepath.Join(dist, manifest.FileName), m); err != nil {
		t.Fatal(err)
	}
	lp, err := layout.Write(filepath.Join(dist, "oci"), empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendIndex(idx); err != nil {
		t.Fatal(err)
	}
	return ws, idx
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		r, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, r), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, r), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func pushIndex(t *testing.T, ref string, idx v1.ImageIndex) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(r, idx); err != nil {
		t.Fatal(err)
	}
}

// imageFile is a file of a test image's one layer.
type imageFile struct {
	name string
	data []byte
	mode int64
}

// layerImage is a linux/arch OCI image of one layer holding files.
func layerImage(t *testing.T, arch string, entrypoint []string, files ...imageFile) v1.Image {
	t.Helper()
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data)), ModTime: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	layer, err := tarball.LayerFromReader(bytes.NewReader(tb.Bytes()), tarball.WithMediaType(types.OCILayer))
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), layer)
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf.OS, cf.Architecture = "linux", arch
	cf.Config.Entrypoint = entrypoint
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	return img
}
