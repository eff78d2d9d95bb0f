package main

import (
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestCommand runs the real binary as a user would: --help, exit codes and
// the streams things go to.
func TestCommand(t *testing.T) {
	t.Parallel()
	bin := testutil.BuildCommand(t, "publish")
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		stderr     string
		goldenHelp bool
	}{
		{name: "help", args: []string{"--help"}, code: 0, goldenHelp: true},
		{name: "unknown flag", args: []string{"--repo", "x"}, code: 2, stderr: "repo"},
		{name: "no dist", args: []string{"--base", "scratch"}, code: 2, stderr: `input "dist": dist has no manifest.json`},
		{name: "bad tag", args: []string{"--tags", "a b"}, code: 2, stderr: `input "tags": "a b" is not a valid tag`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := testutil.RunCommand(t, bin, t.TempDir(), nil, tc.args...)
			if r.Code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.Code, tc.code, r.Stdout, r.Stderr)
			}
			if tc.goldenHelp {
				testutil.Golden(t, "help.txt", []byte(r.Stdout))
			}
			if !strings.Contains(r.Stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, r.Stderr)
			}
		})
	}
}
