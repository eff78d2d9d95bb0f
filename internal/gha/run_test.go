package gha

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExitCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"help", ErrHelp, ExitOK},
		{"wrapped help", fmt.Errorf("parsing: %w", ErrHelp), ExitOK},
		{"usage", &UsageError{Input: "targets", Reason: "bad"}, ExitUsage},
		{"Usagef", Usagef("targets", "bad %s", "x"), ExitUsage},
		{"wrapped usage", fmt.Errorf("planning: %w", Usagef("", "bad")), ExitUsage},
		{"joined usage", errors.Join(Usagef("a", "x"), Usagef("b", "y")), ExitUsage},
		{"findings", &FindingsError{Reason: "3 critical"}, ExitFindings},
		{"Findingsf", Findingsf("%d critical", 3), ExitFindings},
		{"wrapped findings", fmt.Errorf("scanning: %w", Findingsf("gate")), ExitFindings},
		{"plain", errors.New("disk full"), ExitFailure},
		{"wrapped plain", fmt.Errorf("writing: %w", fs.ErrPermission), ExitFailure},
		{"context", context.Canceled, ExitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ExitCode(tt.err); got != tt.want {
				t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestErrorTypes(t *testing.T) {
	t.Parallel()
	got := []string{
		(&UsageError{Input: "targets", Reason: "unknown platform plan9/arm"}).Error(),
		(&UsageError{Reason: "unknown flag --x"}).Error(),
		Usagef("timeout", "must be positive, got %s", "-1s").Error(),
		Findingsf("%d vulnerabilities over the gate", 2).Error(),
		Usagef("config", "reading: %w", fs.ErrNotExist).Error(),
	}
	want := []string{
		`input "targets": unknown platform plan9/arm`,
		"unknown flag --x",
		`input "timeout": must be positive, got -1s`,
		"2 vulnerabilities over the gate",
		`input "config": reading: file does not exist`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Error() (-want +got):\n%s", diff)
	}

	// The error types are plain values: comparable and cmp-friendly.
	if diff := cmp.Diff(&UsageError{Input: "a", Reason: "b 1"}, Usagef("a", "b %d", 1)); diff != "" {
		t.Errorf("Usagef (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&FindingsError{Reason: "c: file does not exist"}, Findingsf("c: %w", fs.ErrNotExist)); diff != "" {
		t.Errorf("Findingsf (-want +got):\n%s", diff)
	}
	var ue *UsageError
	if err := Usagef("x", "y"); !errors.As(err, &ue) || ue.Input != "x" || ue.Reason != "y" {
		t.Errorf("Usagef = %#v", err)
	}
	var fe *FindingsError
	if err := Findingsf("z"); !errors.As(err, &fe) || fe.Reason != "z" {
		t.Errorf("Findingsf = %#v", err)
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		actions    bool
		args       []string
		fn         func(ctx context.Context, a *Action) error
		wantCode   int
		wantCalled bool
		wantStdout string
		wantStderr string
	}{
		{
			name: "success prints outputs",
			args: []string{"--module=m"},
			fn: func(ctx context.Context, a *Action) error {
				a.Infof("building %s", a.String("module"))
				return a.SetOutput("count", "2")
			},
			wantCode: ExitOK, wantCalled: true,
			wantStdout: "count=2\n",
			wantStderr: "building m\n",
		},
		{
			name: "success json",
			args: []string{"--module=m", "--output-format=json"},
			fn: func(ctx context.Context, a *Action) error {
				return a.SetOutput("count", "2")
			},
			wantCode: ExitOK, wantCalled: true,
			wantStdout: `{"count":"2"}` + "\n",
		},
		{
			name:     "help",
			args:     []string{"--help"},
			wantCode: ExitOK,
			// stdout: the help golden, checked below
		},
		{
			name:       "usage error from flags",
			args:       []string{"--bogus"},
			wantCode:   ExitUsage,
			wantStderr: "usage: unknown flag --bogus (see --help)\n",
		},
		{
			name:     "every usage error from inputs",
			args:     []string{"--parallelism=x", "--key-password=hunter2", "--timeout=hunter2"},
			wantCode: ExitUsage,
			wantStderr: "usage: input \"module\": required input is not set (pass --module) (see --help)\n" +
				"usage: input \"parallelism\": invalid integer \"x\" (see --help)\n" +
				"usage: input \"timeout\": invalid duration \"***\": want a Go duration such as 90s or 5m, or a number of seconds (see --help)\n",
		},
		{
			name: "usage error from fn",
			args: []string{"--module=m"},
			fn: func(ctx context.Context, a *Action) error {
				return Usagef("targets", "unknown platform %q", "plan9/arm")
			},
			wantCode: ExitUsage, wantCalled: true,
			wantStderr: "error: input \"targets\": unknown platform \"plan9/arm\"\n",
		},
		{
			name: "findings still print outputs",
			args: []string{"--module=m"},
			fn: func(ctx context.Context, a *Action) error {
				if err := a.SetOutput("manifest", "dist/manifest.json"); err != nil {
					return err
				}
				return fmt.Errorf("scanning: %w", Findingsf("%d critical vulnerabilities", 3))
			},
			wantCode: ExitFindings, wantCalled: true,
			wantStdout: "manifest=dist/manifest.json\n",
			wantStderr: "error: scanning: 3 critical vulnerabilities\n",
		},
		{
			name: "failure drops outputs",
			args: []string{"--module=m", "--key-password=hunter2"},
			fn: func(ctx context.Context, a *Action) error {
				if err := a.SetOutput("count", "1"); err != nil {
					return err
				}
				return fmt.Errorf("pushing with hunter2: %w", errors.New("connection refused"))
			},
			wantCode: ExitFailure, wantCalled: true,
			wantStderr: "error: pushing with ***: connection refused\n",
		},
		{
			name: "context reaches fn",
			args: []string{"--module=m"},
			fn: func(ctx context.Context, a *Action) error {
				if got := ctx.Value(ctxKey{}); got != "v" {
					return fmt.Errorf("context value = %v", got)
				}
				return nil
			},
			wantCode: ExitOK, wantCalled: true,
		},
		{
			name:    "actions success",
			actions: true,
			fn: func(ctx context.Context, a *Action) error {
				return a.SetOutput("count", "2")
			},
			wantCode: ExitOK, wantCalled: true,
		},
		{
			name:       "actions usage error",
			actions:    true,
			args:       []string{},
			wantCode:   ExitUsage,
			wantStdout: "::error title=usage::input \"parallelism\": invalid integer \"many\"\n",
			wantStderr: "usage: input \"parallelism\": invalid integer \"many\" (see --help)\n",
		},
		{
			name:    "actions failure annotates",
			actions: true,
			fn: func(ctx context.Context, a *Action) error {
				return errors.New("line one\nline two")
			},
			wantCode: ExitFailure, wantCalled: true,
			wantStdout: "::error::line one%0Aline two\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var te *testEnv
			if tt.actions {
				vars := actionsVars(t, map[string]string{"INPUT_MODULE": "m"})
				if tt.args != nil { // marks the usage-error case
					vars["INPUT_PARALLELISM"] = "many"
				}
				te = newTestEnv(t, vars)
			} else {
				te = newTestEnv(t, nil, tt.args...)
			}
			called := false
			fn := func(ctx context.Context, a *Action) error {
				called = true
				if tt.fn == nil {
					return nil
				}
				return tt.fn(ctx, a)
			}
			ctx := context.WithValue(t.Context(), ctxKey{}, "v")
			if got := Run(ctx, testSpec(), te.Env, fn); got != tt.wantCode {
				t.Errorf("Run() = %d, want %d (stderr %q)", got, tt.wantCode, te.stderr)
			}
			if called != tt.wantCalled {
				t.Errorf("fn called = %v, want %v", called, tt.wantCalled)
			}
			if tt.name == "help" {
				golden(t, "help.golden", te.stdout.String())
			} else if diff := cmp.Diff(tt.wantStdout, te.stdout.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantStderr, te.stderr.String()); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
			if tt.name == "actions success" {
				got := parseOutputFile(t, readFile(t, te.vars["GITHUB_OUTPUT"]))
				if diff := cmp.Diff(map[string]string{"count": "2"}, got); diff != "" {
					t.Errorf("GITHUB_OUTPUT (-want +got):\n%s", diff)
				}
			}
		})
	}
}

type ctxKey struct{}

func TestRunSetupFailures(t *testing.T) {
	t.Parallel()
	t.Run("invalid spec", func(t *testing.T) {
		t.Parallel()
		te := newTestEnv(t, nil)
		spec := testSpec()
		spec.Outputs = append(spec.Outputs, Output{Name: "count", Description: "Again."})
		code := Run(t.Context(), spec, te.Env, func(context.Context, *Action) error {
			t.Error("fn called with an invalid spec")
			return nil
		})
		if code != ExitFailure {
			t.Errorf("Run() = %d, want %d", code, ExitFailure)
		}
		if want := "error: invalid action declaration: spec \"demo\": output \"count\": declared twice\n"; te.stderr.String() != want {
			t.Errorf("stderr = %q, want %q", te.stderr, want)
		}
	})
	t.Run("nil stderr", func(t *testing.T) {
		t.Parallel()
		if code := Run(t.Context(), testSpec(), Env{}, nil); code != ExitFailure {
			t.Errorf("Run(empty Env) = %d, want %d", code, ExitFailure)
		}
	})
	t.Run("help write error", func(t *testing.T) {
		t.Parallel()
		te := newTestEnv(t, nil, "-h")
		te.Stdout = failWriter{}
		if code := Run(t.Context(), testSpec(), te.Env, nil); code != ExitFailure {
			t.Errorf("Run() = %d, want %d", code, ExitFailure)
		}
		if want := "error: writing help: disk full\n"; te.stderr.String() != want {
			t.Errorf("stderr = %q, want %q", te.stderr, want)
		}
	})
	t.Run("flush error", func(t *testing.T) {
		t.Parallel()
		te := newTestEnv(t, nil, "--module=m")
		te.Stdout = failWriter{}
		code := Run(t.Context(), testSpec(), te.Env, func(ctx context.Context, a *Action) error {
			return a.SetOutput("count", "1")
		})
		if code != ExitFailure {
			t.Errorf("Run() = %d, want %d", code, ExitFailure)
		}
		if want := "error: writing outputs: disk full\n"; te.stderr.String() != want {
			t.Errorf("stderr = %q, want %q", te.stderr, want)
		}
	})
	t.Run("undeclared output", func(t *testing.T) {
		t.Parallel()
		te := newTestEnv(t, nil, "--module=m")
		code := Run(t.Context(), testSpec(), te.Env, func(ctx context.Context, a *Action) error {
			return a.SetOutput("nope", "1")
		})
		if code != ExitFailure || !strings.Contains(te.stderr.String(), `output "nope": not declared`) {
			t.Errorf("Run() = %d, stderr %q; want 1 and the error", code, te.stderr)
		}
	})
}
