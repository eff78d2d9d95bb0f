package main

import (
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestCommand runs the real binary as a user would: exit codes, the streams
// things go to, --help and the JSON output format.
func TestCommand(t *testing.T) {
	t.Parallel()
	bin := testutil.BuildCommand(t, "build-matrix")
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		stdout     string // substring
		stderr     string // substring
		goldenHelp bool
	}{
		{name: "help", args: []string{"--help"}, code: 0, goldenHelp: true},
		{name: "plan", args: []string{"--mode", "plan", "--targets", "linux/amd64"}, code: 0,
			stdout: `matrix={"include":[{"shard":"linux-amd64","runner":"ubuntu-latest","targets":"linux/amd64"}]}` + "\n", stderr: "| linux-amd64 | ubuntu-latest | linux/amd64 |"},
		{name: "plan json", args: []string{"--mode=plan", "--targets=windows/arm64", "--output-format=json"}, code: 0,
			stdout: `{"matrix":"{\"include\":[{\"shard\":\"windows-arm64\",\"runner\":\"windows-latest\",\"targets\":\"windows/arm64\"}]}"}` + "\n"},
		{name: "unknown flag", args: []string{"--target", "linux/amd64"}, code: 2, stderr: "target"},
		{name: "positional argument", args: []string{"linux/amd64"}, code: 2, stderr: "usage"},
		{name: "bad target", args: []string{"--mode", "plan", "--targets", "linux/amd64/v9"}, code: 2, stderr: `input "targets": "linux/amd64/v9": GOAMD64 must be one of v1, v2, v3, v4`},
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
			if tc.stdout != "" && r.Stdout != tc.stdout {
				t.Errorf("stdout = %q, want %q", r.Stdout, tc.stdout)
			}
			if !strings.Contains(r.Stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, r.Stderr)
			}
		})
	}
}
