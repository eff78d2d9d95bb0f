package main

import (
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestCommand runs the real binary: exit codes and the streams things go to.
func TestCommand(t *testing.T) {
	t.Parallel()
	bin := testutil.BuildCommand(t, "sign")
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "help", args: []string{"--help"}, code: 0, stdout: "--key-password"},
		{name: "generate-key", args: []string{"--mode", "generate-key", "--key", "k/cosign.key"}, code: 0, stdout: "public-key=k/cosign.pub\n"},
		{name: "unknown mode", args: []string{"--mode", "x"}, code: 2, stderr: `input "mode"`},
		{name: "positional", args: []string{"file"}, code: 2, stderr: "usage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testutil.RunCommand(t, bin, dir, []string{"COSIGN_PASSWORD=pw"}, tc.args...)
			if r.Code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.Code, tc.code, r.Stdout, r.Stderr)
			}
			if !strings.Contains(r.Stdout, tc.stdout) || !strings.Contains(r.Stderr, tc.stderr) {
				t.Errorf("stdout %q / stderr %q lack %q / %q", r.Stdout, r.Stderr, tc.stdout, tc.stderr)
			}
		})
	}
}
