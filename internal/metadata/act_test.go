package metadata

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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

// TestActEndToEnd runs testdata/act/e2e.yml with act on this host: the
// composite build-matrix action resolves (builds) its binary, plans, builds
// each shard of the matrix in its own job and merges them, passing outputs
// between steps and jobs.
func TestActEndToEnd(t *testing.T) {
	t.Parallel()
	act := testutil.Tool(t, "act")
	root := testutil.RepoRoot(t)
	repo := filepath.Join(t.TempDir(), "repo")
	for _, d := range []string{"actions", "cmd/build-matrix", "internal", "examples/hello"} {
		testutil.CopyDir(t, filepath.Join(root, d), filepath.Join(repo, d))
	}
	for src, dst := range map[string]string{
		filepath.Join(root, "go.mod"):               "go.mod",
		filepath.Join(root, "go.sum"):               "go.sum",
		filepath.Join("testdata", "act", "e2e.yml"): ".github/workflows/e2e.yml",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(repo, dst)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, dst), testutil.ReadFile(t, src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, ".gitignore"), []byte("dist/\nmerged/\nshards/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testutil.Git(t, repo, "init", "-q", "-b", "main")
	testutil.Git(t, repo, "add", "-A")
	testutil.Git(t, repo, "commit", "-q", "-m", "e2e")

	artifacts, home := t.TempDir(), t.TempDir()
	args := []string{"push", "-W", ".github/workflows/e2e.yml", "-P", "ubuntu-latest=-self-hosted", "--no-cache-server",
		"--env", "SLIPWAY_ACT_ARTIFACTS=" + artifacts}
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
	log := string(out)
	if err != nil {
		t.Fatalf("act: %v\n%s", err, log)
	}
	for _, want := range []string{
		`matrix={"include":[{"shard":"linux-amd64","runner":"ubuntu-latest","targets":"linux/amd64"},{"shard":"ubuntu-latest-2","runner":"ubuntu-latest","targets":"linux/arm64,windows/amd64"}]}`,
		"Build build-matrix from the action's source",
		"windows_amd64.zip: OK",
		"Job succeeded",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("act output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("act output:\n%s", log)
	}
	shards, _ := filepath.Glob(filepath.Join(artifacts, "slipway-dist-*"))
	if len(shards) != 2 {
		t.Errorf("%d shard artifacts, want 2: %v", len(shards), shards)
	}
	m, err := manifest.Load(filepath.Join(artifacts, "merged", manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	var plats []string
	for _, a := range m.ByKind(manifest.KindBinary) {
		plats = append(plats, a.Platform())
	}
	slices.Sort(plats)
	if d := cmp.Diff([]string{"linux/amd64", "linux/arm64", "windows/amd64"}, plats); d != "" {
		t.Errorf("merged platforms (-want +got):\n%s", d)
	}
	if err := m.Verify(t.Context(), filepath.Join(artifacts, "merged")); err != nil {
		t.Error(err)
	}
}
