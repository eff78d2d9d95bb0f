package build

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/manifest"
)

// TestSaveManifestKeepsOtherSections: what verify-mod recorded for the same
// commit survives build-matrix, even with another version input; a manifest
// of another commit is replaced whole.
func TestSaveManifestKeepsOtherSections(t *testing.T) {
	t.Parallel()
	sha := func(c byte) string {
		b := make([]byte, 64)
		for i := range b {
			b[i] = c
		}
		return string(b)
	}
	commit := "0123456789abcdef0123456789abcdef01234567"
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		oldCommit  string
		wantModule bool
	}{
		{"same commit, other version", commit, true},
		{"other commit", "fedcba9876543210fedcba9876543210fedcba98", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dist := t.TempDir()
			old := manifest.New(manifest.Project{Module: "example.com/x", Name: "x", Version: "0.0.0-dev", Commit: tc.oldCommit, CommitTime: at})
			old.Module = json.RawMessage(`{"path":"example.com/x"}`)
			old.Add(manifest.Artifact{Name: "x", Kind: "sarif", Path: "verify-mod.sarif", SHA256: sha('a'), Size: 1},
				manifest.Artifact{Name: "x", Kind: manifest.KindBinary, Path: "x_linux_amd64/x", GOOS: "linux", GOARCH: "amd64", SHA256: sha('b'), Size: 2})
			if err := manifest.Save(filepath.Join(dist, manifest.FileName), old); err != nil {
				t.Fatal(err)
			}
			m := manifest.New(manifest.Project{Module: "example.com/x", Name: "x", Version: "1.2.3", Commit: commit, CommitTime: at})
			m.Add(manifest.Artifact{Name: "x", Kind: manifest.KindBinary, Path: "x_linux_arm64/x", GOOS: "linux", GOARCH: "arm64", SHA256: sha('c'), Size: 3})
			if err := saveManifest(dist, m); err != nil {
				t.Fatal(err)
			}
			got := loadManifest(t, dist)
			if got.Project.Version != "1.2.3" || got.Project.Commit != commit {
				t.Errorf("project = %+v", got.Project)
			}
			if (got.Module != nil) != tc.wantModule || (len(got.ByKind("sarif")) == 1) != tc.wantModule {
				t.Errorf("module section %s, sarif artifacts %d; want kept = %v", got.Module, len(got.ByKind("sarif")), tc.wantModule)
			}
			if bins := got.ByKind(manifest.KindBinary); len(bins) != 1 || bins[0].GOARCH != "arm64" {
				t.Errorf("binaries = %+v, want only the new build's", bins)
			}
		})
	}
}
