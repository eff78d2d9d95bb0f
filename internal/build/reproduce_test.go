package build

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestCopyGitDir: the rebuild's .git holds no objects of its own (they are
// borrowed through alternates), yet git there sees the same commit and a
// clean tree; the original's object store is untouched.
func TestCopyGitDir(t *testing.T) {
	t.Parallel()
	src := filepath.Join(t.TempDir(), "hello")
	testutil.GitRepo(t, filepath.Join("..", "..", "examples", "hello"), src, "v1.0.0")
	testutil.Git(t, src, "gc", "-q")
	dst := filepath.Join(t.TempDir(), "hello")
	testutil.CopyDir(t, src, dst)
	if err := os.RemoveAll(filepath.Join(dst, ".git")); err != nil {
		t.Fatal(err)
	}
	if err := copyGitDir(context.Background(), filepath.Join(src, ".git"), filepath.Join(dst, ".git")); err != nil {
		t.Fatal(err)
	}
	packs, err := filepath.Glob(filepath.Join(dst, ".git", "objects", "pack", "*"))
	if err != nil || len(packs) != 0 {
		t.Errorf("the copy holds packs %v (%v)", packs, err)
	}
	if got, want := testutil.Git(t, dst, "rev-parse", "HEAD"), testutil.Git(t, src, "rev-parse", "HEAD"); got != want {
		t.Errorf("HEAD %s in the copy, %s in the original", got, want)
	}
	if st := testutil.Git(t, dst, "status", "--porcelain"); st != "" {
		t.Errorf("the copy is not clean:\n%s", st)
	}
	if d := testutil.Git(t, dst, "describe", "--tags"); d != "v1.0.0" {
		t.Errorf("git describe in the copy: %q", d)
	}
}
