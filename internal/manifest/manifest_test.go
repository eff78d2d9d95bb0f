package manifest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// digest returns the lowercase hex SHA-256 of s.
func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func project() manifest.Project {
	return manifest.Project{
		Module:     "example.com/hello",
		Name:       "hello",
		Version:    "1.2.3",
		Commit:     "0123456789abcdef0123456789abcdef01234567",
		CommitTime: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
		Ref:        "refs/tags/v1.2.3",
	}
}

func binary(goos, goarch, variant string) manifest.Artifact {
	dir := "hello_" + goos + "_" + goarch
	if variant != "" {
		dir += "_" + variant
	}
	name := "hello"
	if goos == "windows" {
		name += ".exe"
	}
	content := "binary " + dir
	return manifest.Artifact{
		Name: "hello", Kind: manifest.KindBinary, Path: dir + "/" + name,
		GOOS: goos, GOARCH: goarch, Variant: variant,
		SHA256: digest(content), Size: int64(len(content)),
	}
}

func archive(goos, goarch, variant string) manifest.Artifact {
	p := "hello_1.2.3_" + goos + "_" + goarch
	if variant != "" {
		p += "_" + variant
	}
	p += ".tar.gz"
	content := "archive " + p
	return manifest.Artifact{
		Name: "hello", Kind: manifest.KindArchive, Path: p,
		GOOS: goos, GOARCH: goarch, Variant: variant,
		SHA256: digest(content), Size: int64(len(content)),
	}
}

func checksums(content string) manifest.Artifact {
	return manifest.Artifact{
		Name: "hello", Kind: manifest.KindChecksums, Path: "hello_1.2.3_checksums.txt",
		SHA256: digest(content), Size: int64(len(content)),
	}
}

// sample returns a full manifest; its artifacts are deliberately not sorted.
func sample() *manifest.Manifest {
	m := manifest.New(project())
	m.Add(
		archive("linux", "arm64", ""),
		binary("linux", "arm64", ""),
		binary("linux", "amd64", "v3"),
		binary("linux", "arm", "7"),
		binary("windows", "amd64", ""),
		checksums("sums"),
		binary("darwin", "arm64", ""),
	)
	m.Module = json.RawMessage(`{"path":"example.com/hello","goSum":"ok","note":"<a & b>"}`)
	m.Images = json.RawMessage(`[]`)
	m.Published = json.RawMessage(`[{"ref":"ghcr.io/example/hello:1.2.3","digest":"sha256:` + digest("img") + `"}]`)
	return m
}

func TestEncodeGolden(t *testing.T) {
	t.Parallel()
	got, err := sample().Encode()
	if err != nil {
		t.Fatal(err)
	}
	testutil.Golden(t, "manifest.golden.json", got)
}

func TestEncodeCanonical(t *testing.T) {
	t.Parallel()
	a := sample()
	b := sample()
	// The same manifest with artifacts in another order and the commit time
	// in another zone encodes to the same bytes.
	for i, j := 0, len(b.Artifacts)-1; i < j; i, j = i+1, j-1 {
		b.Artifacts[i], b.Artifacts[j] = b.Artifacts[j], b.Artifacts[i]
	}
	b.Project.CommitTime = b.Project.CommitTime.In(time.FixedZone("CET", 3600))
	ea, err := a.Encode()
	if err != nil {
		t.Fatal(err)
	}
	eb, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(ea), string(eb)); diff != "" {
		t.Errorf("equal manifests encode differently (-a +b):\n%s", diff)
	}
	if !bytes.HasSuffix(ea, []byte("}\n")) {
		t.Errorf("encoding does not end in a newline")
	}
	// Encode leaves its receiver alone.
	if diff := cmp.Diff(sample().Artifacts, a.Artifacts); diff != "" {
		t.Errorf("Encode reordered m.Artifacts (-want +got):\n%s", diff)
	}
}

func TestEncodeEmptyArtifacts(t *testing.T) {
	t.Parallel()
	for _, m := range []*manifest.Manifest{
		manifest.New(project()),
		{SchemaVersion: 1, Project: project()}, // nil Artifacts
	} {
		b, err := m.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(`"artifacts": []`)) {
			t.Errorf("Encode of no artifacts:\n%s\nwant \"artifacts\": []", b)
		}
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	good := digest("x")
	tests := []struct {
		name    string
		in      string
		want    *manifest.Manifest // checked when non-nil
		wantErr []string           // substrings of the error; nil for success
		is      error              // errors.Is target, if any
	}{
		{
			name: "unknown future fields are tolerated",
			in: `{"schemaVersion": 1, "futureTopLevel": {"x": 1},
				"project": {"name": "hello", "commitTime": "2026-11-20T10:00:00Z", "futureProject": true},
				"artifacts": [{"name": "hello", "kind": "binary", "path": "hello_linux_amd64/hello",
					"goos": "linux", "goarch": "amd64", "sha256": "` + good + `", "size": 1, "annotations": {"a": "b"}}]}`,
			want: &manifest.Manifest{
				SchemaVersion: 1,
				Project:       manifest.Project{Name: "hello", CommitTime: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)},
				Artifacts: []manifest.Artifact{{Name: "hello", Kind: manifest.KindBinary, Path: "hello_linux_amd64/hello",
					GOOS: "linux", GOARCH: "amd64", SHA256: good, Size: 1}},
			},
		},
		{
			name: "unknown artifact kind is tolerated",
			in: `{"schemaVersion": 1, "project": {"name": "hello"}, "artifacts": [
				{"name": "hello", "kind": "sbom", "path": "sbom/hello.spdx.json", "sha256": "` + good + `", "size": 0}]}`,
		},
		{
			name: "null artifacts and sections",
			in:   `{"schemaVersion": 1, "project": {"name": "hello"}, "artifacts": null, "images": null}`,
			want: &manifest.Manifest{SchemaVersion: 1, Project: manifest.Project{Name: "hello"}, Artifacts: []manifest.Artifact{}},
		},
		{
			name: "commit time is normalised to UTC",
			in:   `{"schemaVersion": 1, "project": {"name": "hello", "commitTime": "2026-11-20T11:00:00+01:00"}, "artifacts": []}`,
			want: &manifest.Manifest{
				SchemaVersion: 1,
				Project:       manifest.Project{Name: "hello", CommitTime: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)},
				Artifacts:     []manifest.Artifact{},
			},
		},
		{
			name:    "a future schema version is rejected before its shape is looked at",
			in:      `{"schemaVersion": 2, "project": {"name": "hello"}, "artifacts": {"binaries": []}}`,
			wantErr: []string{"unsupported schemaVersion 2", "this Slipway reads 1", "upgrade Slipway"},
			is:      manifest.ErrUnsupportedVersion,
		},
		{
			name:    "schema version 0",
			in:      `{"schemaVersion": 0, "project": {"name": "hello"}, "artifacts": []}`,
			wantErr: []string{"schemaVersion 0 is not valid"},
			is:      manifest.ErrUnsupportedVersion,
		},
		{
			name:    "schema version missing",
			in:      `{"project": {"name": "hello"}, "artifacts": []}`,
			wantErr: []string{"schemaVersion is missing"},
		},
		{
			name:    "schema version is a string",
			in:      `{"schemaVersion": "1", "project": {"name": "hello"}, "artifacts": []}`,
			wantErr: []string{"decoding manifest", "schemaVersion"},
		},
		{
			name:    "not JSON",
			in:      `schemaVersion: 1`,
			wantErr: []string{"decoding manifest"},
		},
		{
			name:    "trailing data",
			in:      `{"schemaVersion": 1, "project": {"name": "hello"}, "artifacts": []} {}`,
			wantErr: []string{"decoding manifest"},
		},
		{
			name:    "wrong field type",
			in:      `{"schemaVersion": 1, "project": {"name": "hello"}, "artifacts": [{"size": "big"}]}`,
			wantErr: []string{"decoding manifest", "size"},
		},
		{
			name: "invalid content is reported with every problem",
			in: `{"schemaVersion": 1, "project": {"name": ""}, "artifacts": [
				{"name": "hello", "kind": "binary", "path": "../hello", "sha256": "` + good + `", "size": 1},
				{"name": "hello", "kind": "binary", "path": "hello", "sha256": "ABC", "size": 1}]}`,
			wantErr: []string{"invalid manifest", "project.name is empty", `artifacts[0] (../hello): path "../hello" has a ".." element`,
				`artifacts[1] (hello): sha256 "ABC" is not 64 lowercase hex digits`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := manifest.Decode(strings.NewReader(tt.in))
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if tt.want != nil {
					if diff := cmp.Diff(tt.want, m); diff != "" {
						t.Errorf("Decode (-want +got):\n%s", diff)
					}
				}
				return
			}
			if err == nil {
				t.Fatalf("Decode succeeded, want an error containing %q", tt.wantErr)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
		})
	}
}

// TestRoundTripRawSections checks that sections this package has no types for
// survive Decode and Encode byte for byte (up to insignificant whitespace,
// which Decode removes), including characters encoding/json would escape.
func TestRoundTripRawSections(t *testing.T) {
	t.Parallel()
	in := `{
	"schemaVersion": 1,
	"project": {"name": "hello", "commitTime": "2026-11-20T10:00:00Z"},
	"artifacts": [],
	"module":     {"path": "example.com/hello", "go": "1.26", "findings": []},
	"images":     [ {"platform": "linux/amd64", "digest": "sha256:` + digest("a") + `"} ],
	"index":      {"mediaType": "application/vnd.oci.image.index.v1+json", "size": 12345678901234567890},
	"scans":      [{"subject": "<img> & \u00e9", "counts": {"critical": 0, "high": 1.50}}],
	"signatures": [{"bundle": "sig/hello.sigstore.json", "z": 1, "a": 2}],
	"published":  [{"ref": "ghcr.io/example/hello@sha256:` + digest("b") + `"}]
}`
	want := map[string]string{
		"module":     `{"path":"example.com/hello","go":"1.26","findings":[]}`,
		"images":     `[{"platform":"linux/amd64","digest":"sha256:` + digest("a") + `"}]`,
		"index":      `{"mediaType":"application/vnd.oci.image.index.v1+json","size":12345678901234567890}`,
		"scans":      `[{"subject":"<img> & \u00e9","counts":{"critical":0,"high":1.50}}]`,
		"signatures": `[{"bundle":"sig/hello.sigstore.json","z":1,"a":2}]`,
		"published":  `[{"ref":"ghcr.io/example/hello@sha256:` + digest("b") + `"}]`,
	}
	sections := func(m *manifest.Manifest) map[string]string {
		return map[string]string{
			"module": string(m.Module), "images": string(m.Images), "index": string(m.Index),
			"scans": string(m.Scans), "signatures": string(m.Signatures), "published": string(m.Published),
		}
	}

	m1, err := manifest.Decode(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, sections(m1)); diff != "" {
		t.Errorf("raw sections after Decode (-want +got):\n%s", diff)
	}
	b1, err := m1.Encode()
	if err != nil {
		t.Fatal(err)
	}
	m2, err := manifest.Decode(bytes.NewReader(b1))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, sections(m2)); diff != "" {
		t.Errorf("raw sections after Encode and Decode (-want +got):\n%s", diff)
	}
	b2, err := m2.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(b1), string(b2)); diff != "" {
		t.Errorf("second encoding differs (-first +second):\n%s", diff)
	}
}

func TestRoundTripGolden(t *testing.T) {
	t.Parallel()
	golden, err := os.ReadFile(filepath.Join("testdata", "manifest.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Decode(bytes.NewReader(golden))
	if err != nil {
		t.Fatal(err)
	}
	want := sample()
	want.Artifacts = sortedByPath(want.Artifacts)
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("Decode of the golden file (-want +got):\n%s", diff)
	}
	b, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(golden), string(b)); diff != "" {
		t.Errorf("Encode(Decode(golden)) (-golden +got):\n%s", diff)
	}
}

func sortedByPath(as []manifest.Artifact) []manifest.Artifact {
	out := slices.Clone(as)
	slices.SortFunc(out, func(a, b manifest.Artifact) int { return strings.Compare(a.Path, b.Path) })
	return out
}

func TestSaveLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, manifest.FileName)
	if err := os.WriteFile(path, []byte("old content"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := sample()
	if err := manifest.Save(path, m); err != nil {
		t.Fatalf("Save: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != manifest.FileName {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("after Save the directory holds %q, want only %s", names, manifest.FileName)
	}
	if fi, err := os.Stat(path); err != nil {
		t.Fatal(err)
	} else if perm := fi.Mode().Perm(); perm != 0o644 && runtime.GOOS != "windows" {
		t.Errorf("mode = %v, want 0644", perm)
	}
	got, err := manifest.Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := sample()
	want.Artifacts = sortedByPath(want.Artifacts)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Load(Save(m)) (-want +got):\n%s", diff)
	}
}

func TestSaveInvalid(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, manifest.FileName)
	m := sample()
	m.Project.Name = ""
	err := manifest.Save(path, m)
	if err == nil || !strings.Contains(err.Error(), "project.name is empty") || !strings.Contains(err.Error(), path) {
		t.Fatalf("Save of an invalid manifest: err = %v, want one naming %s and project.name", err, path)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Save of an invalid manifest left %d files", len(entries))
	}
}

func TestLoadErrorsNamePath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.json")
	if _, err := manifest.Load(missing); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Load(missing): err = %v, want fs.ErrNotExist naming %s", err, missing)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"schemaVersion": 7}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := manifest.Load(bad)
	if !errors.Is(err, manifest.ErrUnsupportedVersion) || !strings.Contains(err.Error(), bad) {
		t.Errorf("Load(bad): err = %v, want ErrUnsupportedVersion naming %s", err, bad)
	}
}

func TestAddRemoveByKind(t *testing.T) {
	t.Parallel()
	m := manifest.New(project())
	if got := m.ByKind(manifest.KindBinary); len(got) != 0 {
		t.Errorf("ByKind on a new manifest = %v", got)
	}
	b1, b2 := binary("linux", "amd64", ""), binary("darwin", "arm64", "")
	a1 := archive("linux", "amd64", "")
	m.Add(b1, checksums("old"), a1)
	m.Add(b2)
	if diff := cmp.Diff([]manifest.Artifact{b1, b2}, m.ByKind(manifest.KindBinary)); diff != "" {
		t.Errorf("ByKind(binary) (-want +got):\n%s", diff)
	}
	m.Remove(manifest.KindChecksums)
	if diff := cmp.Diff([]manifest.Artifact{b1, a1, b2}, m.Artifacts); diff != "" {
		t.Errorf("after Remove(checksums) (-want +got):\n%s", diff)
	}
	m.Add(checksums("new"))
	if err := m.Validate(); err != nil {
		t.Errorf("Validate after replacing checksums: %v", err)
	}
	// ByKind returns a copy.
	m.ByKind(manifest.KindBinary)[0].Name = "changed"
	if m.Artifacts[0].Name != "hello" {
		t.Errorf("changing ByKind's result changed the manifest")
	}
}

func TestPlatformKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a             manifest.Artifact
		platform, key string
	}{
		{binary("linux", "arm64", ""), "linux/arm64", "binary hello linux/arm64"},
		{binary("linux", "arm", "7"), "linux/arm/7", "binary hello linux/arm/7"},
		{archive("linux", "amd64", "v3"), "linux/amd64/v3", "archive hello linux/amd64/v3"},
		{checksums("x"), "", "checksums hello"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			t.Parallel()
			if got := tt.a.Platform(); got != tt.platform {
				t.Errorf("Platform() = %q, want %q", got, tt.platform)
			}
			if got := tt.a.Key(); got != tt.key {
				t.Errorf("Key() = %q, want %q", got, tt.key)
			}
		})
	}
}
