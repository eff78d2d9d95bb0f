package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// CommitTime is the fixed author and committer date of fixture commits.
const CommitTime = "2026-11-20T10:00:00Z"

// Git runs git in dir with a fixed identity and dates, failing the test on error.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Slipway Test", "GIT_AUTHOR_EMAIL=test@slipway.invalid",
		"GIT_COMMITTER_NAME=Slipway Test", "GIT_COMMITTER_EMAIL=test@slipway.invalid",
		"GIT_AUTHOR_DATE="+CommitTime, "GIT_COMMITTER_DATE="+CommitTime,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// CopyDir copies a directory tree of regular files.
func CopyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		r, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, r)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// GitRepo copies src into a new git repository at dst with one commit at
// CommitTime and the given tags, and returns the commit SHA.
func GitRepo(t testing.TB, src, dst string, tags ...string) string {
	t.Helper()
	CopyDir(t, src, dst)
	Git(t, dst, "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(dst, ".gitignore"), []byte("dist/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	Git(t, dst, "add", "-A")
	Git(t, dst, "commit", "-q", "-m", "fixture")
	for _, tag := range tags {
		Git(t, dst, "tag", tag)
	}
	return Git(t, dst, "rev-parse", "HEAD")
}
