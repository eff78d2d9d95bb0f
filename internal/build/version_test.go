package build

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil"
)

func TestReadSource(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	if err := os.MkdirAll(filepath.Join(repo, "tools"), 0o755); err != nil {
		t.Fatal(err)
	}
	for f, body := range map[string]string{"go.mod": "module example.com/x/v2\n", "tools/go.mod": "module example.com/x/tools\n"} {
		if err := os.WriteFile(filepath.Join(repo, f), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	testutil.Git(t, root, "init", "-q", "-b", "main", repo)
	testutil.Git(t, repo, "add", "-A")
	testutil.Git(t, repo, "commit", "-q", "-m", "one")
	testutil.Git(t, repo, "tag", "v2.3.0")
	testutil.Git(t, repo, "commit", "-q", "--allow-empty", "-m", "two")
	sha := testutil.Git(t, repo, "rev-parse", "HEAD")
	testutil.Git(t, repo, "tag", "tools/v0.4.1")
	testutil.Git(t, repo, "tag", "not-a-version")

	env := func(kv ...string) func(string) string {
		m := map[string]string{"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME")}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		name, dir, mod, version string
		getenv                  func(string) string
		wantVersion, wantRef    string
		wantTime                string
	}{
		{name: "pseudo-version after the last tag", dir: repo, mod: "example.com/x/v2", getenv: env(),
			wantVersion: "2.3.1-0.20261120100000-" + sha[:12], wantTime: testutil.CommitTime},
		{name: "module in a subdirectory uses its prefixed tag", dir: filepath.Join(repo, "tools"), mod: "example.com/x/tools", getenv: env(),
			wantVersion: "0.4.1", wantRef: "refs/tags/tools/v0.4.1", wantTime: testutil.CommitTime},
		{name: "input wins, v dropped", dir: repo, mod: "example.com/x/v2", version: "v9.9.9", getenv: env(),
			wantVersion: "9.9.9", wantTime: testutil.CommitTime},
		{name: "SOURCE_DATE_EPOCH sets the time", dir: repo, mod: "example.com/x/v2", getenv: env("SOURCE_DATE_EPOCH", "1700000000"),
			wantVersion: "2.3.1-0.20261120100000-" + sha[:12], wantTime: "2023-11-14T22:13:20Z"},
		{name: "GITHUB_REF tag of this commit", dir: repo, mod: "example.com/x/v2", getenv: env("GITHUB_REF", "refs/tags/v2.4.0-rc.1", "GITHUB_SHA", sha),
			wantVersion: "2.4.0-rc.1", wantRef: "refs/tags/v2.4.0-rc.1", wantTime: testutil.CommitTime},
		{name: "GITHUB_REF of another commit is ignored", dir: repo, mod: "example.com/x/v2", getenv: env("GITHUB_REF", "refs/tags/v2.4.0", "GITHUB_SHA", "0000"),
			wantVersion: "2.3.1-0.20261120100000-" + sha[:12], wantRef: "refs/tags/v2.4.0", wantTime: testutil.CommitTime},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := ReadSource(context.Background(), ExecRunner{}, tc.getenv, tc.dir, tc.mod, tc.version)
			if err != nil {
				t.Fatal(err)
			}
			if s.Commit != sha || s.Version != tc.wantVersion || s.Ref != tc.wantRef || s.CommitTime.Format("2006-01-02T15:04:05Z07:00") != tc.wantTime {
				t.Errorf("got commit %s version %q ref %q time %s; want %s %q %q %s", s.Commit, s.Version, s.Ref, s.CommitTime, sha, tc.wantVersion, tc.wantRef, tc.wantTime)
			}
		})
	}

	t.Run("outside git", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		_, err := ReadSource(context.Background(), ExecRunner{}, env(), dir, "example.com/y", "")
		if err == nil || !strings.Contains(err.Error(), "SOURCE_DATE_EPOCH") {
			t.Errorf("error = %v, want one naming SOURCE_DATE_EPOCH", err)
		}
		s, err := ReadSource(context.Background(), ExecRunner{}, env("SOURCE_DATE_EPOCH", "0"), dir, "example.com/y", "1.0.0")
		if err != nil || s.Version != "1.0.0" || s.Commit != "" {
			t.Errorf("with SOURCE_DATE_EPOCH and a version: %+v, %v", s, err)
		}
	})
}
