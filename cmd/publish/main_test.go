package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestCommand runs the real binary as a user would: --help, exit codes and
// the streams things go to.
func TestCommand(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "publish")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
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
			cmd := exec.Command(bin, tc.args...)
			cmd.Dir = t.TempDir()
			cmd.Env = append(os.Environ(), "GITHUB_ACTIONS=")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout.String(), stderr.String())
			}
			if tc.goldenHelp {
				testutil.Golden(t, "help.txt", stdout.Bytes())
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, stderr.String())
			}
		})
	}
}
