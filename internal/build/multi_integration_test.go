package build

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestMultipleMains builds two main packages of a /v2 module into one
// archive per target, with link variables in another package.
func TestMultipleMains(t *testing.T) {
	if testing.Short() {
		t.Skip("builds")
	}
	t.Parallel()
	host := runtime.GOOS + "/" + runtime.GOARCH
	repo := filepath.Join(t.TempDir(), "multi")
	testutil.GitRepo(t, "testdata/multi", repo, "v2.0.1")
	r := runCLI(t, repo, nil, "--main", "./cmd/tool\n./cmd/helper", "--targets", host,
		"--link-vars", "version=example.com/multi/v2/internal/buildinfo.Version\nversion=main.version",
		"--extra-files", "NOTICE", "--checksums", "sha512")
	r.mustCode(t, 0)
	dist := filepath.Join(repo, "dist")
	m := loadManifest(t, dist)
	var bins []string
	for _, a := range m.ByKind(manifest.KindBinary) {
		bins = append(bins, a.Name)
		out, err := exec.Command(filepath.Join(dist, a.Path)).Output()
		if err != nil {
			t.Fatal(err)
		}
		if want := a.Name + " 2.0.1\n"; string(out) != want {
			t.Errorf("%s printed %q, want %q", a.Name, out, want)
		}
	}
	slices.Sort(bins)
	if d := cmp.Diff([]string{"helper", "tool"}, bins); d != "" {
		t.Errorf("binaries (-want +got):\n%s", d)
	}
	archives := m.ByKind(manifest.KindArchive)
	if len(archives) != 1 || archives[0].Name != "tool" {
		t.Fatalf("archives = %+v, want one named after the first binary", archives)
	}
	f, err := os.Open(filepath.Join(dist, archives[0].Path))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
	if d := cmp.Diff([]string{"NOTICE", "helper", "tool"}, names); d != "" {
		t.Errorf("archive entries (-want +got):\n%s", d)
	}
	cmd := exec.Command("sha512sum", "--strict", "-c", "tool_2.0.1_checksums.txt")
	cmd.Dir = dist
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("sha512sum -c: %v\n%s", err, out)
	}
}
