package build

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// Command is one process to run: argv (never a shell line), a directory and
// a complete environment (nil means the runner's own environment).
type Command struct {
	Dir  string
	Env  []string
	Args []string
}

// Runner runs commands; it is the seam between the build logic and processes.
type Runner interface {
	// Run returns the command's standard output. A non-zero exit is an
	// *ExitError carrying standard error.
	Run(ctx context.Context, c Command) ([]byte, error)
}

// ExitError is a command that ran and failed.
type ExitError struct {
	Args   []string
	Stderr []byte
	Err    error
}

func (e *ExitError) Error() string {
	msg := strings.TrimSpace(string(e.Stderr))
	if len(msg) > 2000 {
		msg = msg[:2000] + " …"
	}
	if msg == "" {
		return fmt.Sprintf("%s: %v", strings.Join(e.Args, " "), e.Err)
	}
	return fmt.Sprintf("%s: %v: %s", strings.Join(e.Args, " "), e.Err, msg)
}

func (e *ExitError) Unwrap() error { return e.Err }

// ExecRunner runs commands as child processes.
type ExecRunner struct{}

// Run implements Runner.
func (ExecRunner) Run(ctx context.Context, c Command) ([]byte, error) {
	if len(c.Args) == 0 {
		return nil, fmt.Errorf("empty command")
	}
	cmd := exec.CommandContext(ctx, c.Args[0], c.Args[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", c.Args[0], ctx.Err())
		}
		return stdout.Bytes(), &ExitError{Args: c.Args, Stderr: stderr.Bytes(), Err: err}
	}
	return stdout.Bytes(), nil
}
