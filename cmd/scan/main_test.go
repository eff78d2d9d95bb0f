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

// TestCommand builds the real binary (GOEXPERIMENT=jsonv2, as Trivy needs)
// and runs it as a user would: --help, usage errors and their exit codes,
// and the Trivy version it embeds.
func TestCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("links Trivy: minutes on a cold cache")
	}
	bin := filepath.Join(t.TempDir(), "scan")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOEXPERIMENT=jsonv2")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	mv, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mv), "github.com/aquasecurity/trivy\tv0.74.0") || strings.Contains(string(mv), "v0.69.4") {
		t.Errorf("the binary does not embed Trivy v0.74.0:\n%s", mv)
	}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
		golden bool
	}{
		{name: "help", args: []string{"--help"}, golden: true},
		{name: "unknown flag", args: []string{"--severity", "HIGH"}, code: 2, stderr: "severity"},
		{name: "bad severity", args: []string{"--fail-on", "urgent"}, code: 2, stderr: `input "fail-on": "urgent" is not a severity`},
		{name: "nothing to scan", args: []string{"--cache-dir", "c"}, code: 2, stderr: "nothing to scan"},
	} {
		t.Run(tc.name, func(t *testing.T) {
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
			if tc.golden {
				testutil.Golden(t, "help.txt", stdout.Bytes())
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, stderr.String())
			}
		})
	}
}
