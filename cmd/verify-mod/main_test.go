package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestCommand runs the real binary as a user would: exit codes, the streams
// things go to, --help and the JSON output format. The checks it runs need
// no network; GOPROXY=off makes sure of it.
func TestCommand(t *testing.T) {
	t.Parallel()
	bin := testutil.BuildCommand(t, "verify-mod")
	const checks = "toolchain,replace,build-constraints"
	for _, tc := range []struct {
		name       string
		gomod      string
		args       []string
		code       int
		stdout     string // substring
		stderr     string // substring
		goldenHelp bool
	}{
		{name: "help", args: []string{"--help"}, code: 0, goldenHelp: true},
		{name: "clean module", gomod: "module example.com/x\n\ngo 1.22\n", args: []string{"--checks", checks}, code: 0,
			stdout: "findings=[]\npassed=true\nmanifest=dist/manifest.json\n", stderr: "## verify-mod: passed"},
		{name: "findings", gomod: "module example.com/x\n\ngo 1.22\n\nreplace example.com/y => ../y\n", args: []string{"--checks", checks, "--output-format", "json"}, code: 3,
			stdout: `"passed":"false"`, stderr: "error: go.mod:5: SLW-MOD-040 LocalPathReplace: replace example.com/y => ../y"},
		{name: "fail-on none", gomod: "module example.com/x\n\ngo 1.22\n\nreplace example.com/y => ../y\n", args: []string{"--checks", checks, "--fail-on", "none"}, code: 0,
			stdout: "passed=true"},
		{name: "unknown flag", args: []string{"--check", "verify"}, code: 2, stderr: "unknown flag --check"},
		{name: "positional argument", args: []string{"verify"}, code: 2, stderr: "usage"},
		{name: "unknown check", gomod: "module example.com/x\n", args: []string{"--checks", "verify,lint"}, code: 2, stderr: `input "checks": "lint" is not a check`},
		{name: "unparsable go.mod", gomod: "module example.com/x\n\ngo 1.22\nrequire (\n", args: []string{"--checks", checks}, code: 2, stderr: "error: go.mod:5: SLW-MOD-099 GoModParseError: syntax error (unterminated block started at go.mod:4:1)"},
		{name: "no go.mod", args: []string{"--checks", checks}, code: 2, stderr: `input "module-dir": .: no go.mod`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tc.gomod != "" {
				if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(tc.gomod), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r := testutil.RunCommand(t, bin, dir, []string{"GOENV=off", "GOFLAGS=", "GOPROXY=off", "GOSUMDB=off", "GONOSUMDB=",
				"GOPRIVATE=", "GOTOOLCHAIN=local", "GOWORK=", "RUNNER_TEMP=" + t.TempDir()}, tc.args...)
			if r.Code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.Code, tc.code, r.Stdout, r.Stderr)
			}
			if tc.goldenHelp {
				testutil.Golden(t, "help.txt", []byte(r.Stdout))
			}
			if !strings.Contains(r.Stdout, tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, r.Stdout)
			}
			if !strings.Contains(r.Stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, r.Stderr)
			}
		})
	}
}
