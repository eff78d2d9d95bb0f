package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// Job is one binary for one target.
type Job struct {
	Target Target
	Main   Package
	Binary string
	Out    string   // absolute output path
	Env    []string // complete environment
	Args   []string // go build argv, Out and the package last
}

// Diagnostic is one compiler message with its place.
type Diagnostic struct {
	File    string // as the compiler printed it, relative to the module directory
	Line    int
	Col     int
	Message string
}

// Result is the outcome of one Job.
type Result struct {
	Job
	Duration    time.Duration
	Err         error
	Diagnostics []Diagnostic
}

// GoBuildArgs is the go build argv for one binary. flags are the user's extra
// build flags, placed before -o so they cannot redirect the output.
func GoBuildArgs(ldflags string, tags []string, flags []string, out, pkg string) []string {
	args := []string{"go", "build", "-trimpath", "-ldflags=" + ldflags}
	if len(tags) > 0 {
		args = append(args, "-tags="+strings.Join(tags, ","))
	}
	args = append(args, flags...)
	return append(args, "-o", out, pkg)
}

// Compile runs the jobs with at most parallelism at once. Every job runs to
// its end whatever the others do; results come back in job order.
func Compile(ctx context.Context, r Runner, dir string, jobs []Job, parallelism int, now func() time.Time) []Result {
	results := make([]Result, len(jobs))
	var g errgroup.Group
	g.SetLimit(max(parallelism, 1))
	for i, j := range jobs {
		g.Go(func() error {
			start := now()
			res := Result{Job: j}
			if err := os.MkdirAll(filepath.Dir(j.Out), 0o755); err != nil {
				res.Err = err
			} else if _, err := r.Run(ctx, Command{Dir: dir, Env: j.Env, Args: j.Args}); err != nil {
				res.Err = fmt.Errorf("building %s for %s: %w", j.Binary, j.Target, err)
				var ee *ExitError
				if errors.As(err, &ee) {
					res.Diagnostics = ParseDiagnostics(string(ee.Stderr))
				}
			}
			res.Duration = now().Sub(start)
			results[i] = res // each job owns its slot
			return nil
		})
	}
	_ = g.Wait() // jobs report through results
	return results
}

var diagRE = regexp.MustCompile(`^(\S[^:]*\.go):(\d+)(?::(\d+))?: (.+)$`)

// ParseDiagnostics extracts file:line:col: message lines from go build output.
func ParseDiagnostics(stderr string) []Diagnostic {
	var ds []Diagnostic
	for _, l := range strings.Split(stderr, "\n") {
		m := diagRE.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			continue
		}
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		ds = append(ds, Diagnostic{File: strings.TrimPrefix(m[1], "./"), Line: line, Col: col, Message: m[4]})
	}
	return ds
}
