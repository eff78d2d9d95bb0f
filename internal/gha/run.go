package gha

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Exit codes shared by every action.
const (
	ExitOK       = 0 // done, nothing to report
	ExitFailure  = 1 // the tool could not do its job
	ExitUsage    = 2 // a bad input, named in the message
	ExitFindings = 3 // the job ran and the subject failed a check
)

// UsageError is a bad, missing or unknown input. Input names it; it is empty
// when no single input is at fault (an unknown flag, a stray argument).
type UsageError struct {
	Input  string
	Reason string
}

func (e *UsageError) Error() string {
	if e.Input == "" {
		return e.Reason
	}
	return fmt.Sprintf("input %q: %s", e.Input, e.Reason)
}

// Usagef returns a *UsageError for input. A %w verb formats like %v: the
// error types stay plain, comparable values, so they wrap nothing.
func Usagef(input, format string, args ...any) error {
	return &UsageError{Input: input, Reason: fmt.Errorf(format, args...).Error()}
}

// FindingsError means the job ran and the subject failed a check
// (vulnerabilities over the gate, a bad signature, ...): exit code 3.
type FindingsError struct {
	Reason string
}

func (e *FindingsError) Error() string { return e.Reason }

// Findingsf returns a *FindingsError. A %w verb formats like %v, as in
// Usagef.
func Findingsf(format string, args ...any) error {
	return &FindingsError{Reason: fmt.Errorf(format, args...).Error()}
}

// ExitCode maps an error to the exit code of the process, looking through
// wrapping: nil and ErrHelp → 0, *UsageError → 2, *FindingsError → 3,
// anything else → 1.
func ExitCode(err error) int {
	var usage *UsageError
	var findings *FindingsError
	switch {
	case err == nil, errors.Is(err, ErrHelp):
		return ExitOK
	case errors.As(err, &usage):
		return ExitUsage
	case errors.As(err, &findings):
		return ExitFindings
	}
	return ExitFailure
}

// Run is the body of every cmd/<action>/main.go. It builds the Action
// (--help → 0; usage errors are printed to Stderr as "usage: ... (see
// --help)", and in Actions mode also annotated, → 2), calls fn, and flushes
// the outputs on success or findings. An error from fn is reported as an
// error annotation and mapped by ExitCode; a Flush error is 1.
func Run(ctx context.Context, spec Spec, env Env, fn func(ctx context.Context, a *Action) error) int {
	a, err := newAction(spec, env)
	switch {
	case errors.Is(err, ErrHelp):
		return ExitOK
	case err != nil && a == nil:
		w := env.Stderr
		if w == nil {
			w = io.Discard
		}
		fmt.Fprintf(w, "error: %v\n", err)
		return ExitFailure
	case err != nil:
		a.reportSetup(err)
		return ExitCode(err)
	}

	err = fn(ctx, a)
	code := ExitCode(err)
	if err == nil || code == ExitFindings {
		// Findings are a result: outputs such as a report path still matter.
		if ferr := a.Flush(); ferr != nil {
			a.Annotate(Annotation{Level: LevelError, Message: ferr.Error()})
			code = ExitFailure
		}
	}
	if err != nil {
		a.Annotate(Annotation{Level: LevelError, Message: err.Error()})
	}
	return code
}

// reportSetup prints the errors New found, one per line, through the
// Action's masks.
func (a *Action) reportSetup(err error) {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var usage *UsageError
		if !errors.As(e, &usage) {
			a.printf("error: %v\n", e)
			if a.actions {
				a.Annotate(Annotation{Level: LevelError, Message: e.Error()})
			}
			continue
		}
		a.printf("usage: %v (see --help)\n", e)
		if a.actions {
			a.Annotate(Annotation{Level: LevelError, Title: "usage", Message: e.Error()})
		}
	}
}

// printf writes a masked line to Stderr.
func (a *Action) printf(format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, _ = io.WriteString(a.env.Stderr, a.redactLocked(fmt.Sprintf(format, args...)))
}
