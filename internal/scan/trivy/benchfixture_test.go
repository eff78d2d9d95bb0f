package trivy

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/scan"
)

// TestWriteBenchFixture fills the cache directory $SLIPWAY_SCAN_FIXTURE_DIR
// with the fixture DB, downloaded through PrepareDB from a registry on
// 127.0.0.1, for bench/scan.sh and the offline demo (the DB is cache-dir/db,
// where Trivy's CLI reads it too), and writes the fixture govulncheck DB to
// $SLIPWAY_SCAN_FIXTURE_DIR/vulndb (pass vuln-db file://DIR/vulndb). It is
// skipped unless the variable is set.
func TestWriteBenchFixture(t *testing.T) {
	dir := os.Getenv("SLIPWAY_SCAN_FIXTURE_DIR")
	if dir == "" {
		t.Skip("SLIPWAY_SCAN_FIXTURE_DIR is not set")
	}
	f := newFixture(t)
	b := New(Options{TempDir: t.TempDir(), Now: time.Now})
	info, err := b.PrepareDB(t.Context(), scan.DBOptions{Repositories: []string{f.repo}, CacheDir: dir, Attempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if !info.Downloaded || info.Digest != f.digest {
		t.Fatalf("db %+v, want %s downloaded", info, f.digest)
	}
	vulnDBAt(t, filepath.Join(dir, "vulndb"))
}
