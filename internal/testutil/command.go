package testutil

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BuildCommand compiles the main package in the test's directory into a
// temporary binary named name, as a user would get it, and returns its path.
func BuildCommand(t testing.TB, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// Command is one run of a built binary.
type Command struct {
	Code           int
	Stdout, Stderr string
}

// RunCommand runs bin with args in dir, with the test process's environment
// plus env (GITHUB_ACTIONS is cleared first, so the binary is in CLI mode
// unless env sets it), and returns its exit code and output streams.
func RunCommand(t testing.TB, bin, dir string, env []string, args ...string) Command {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GITHUB_ACTIONS="), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s: %v", bin, err)
	}
	return Command{Code: code, Stdout: stdout.String(), Stderr: stderr.String()}
}
