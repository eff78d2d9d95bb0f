package gha

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMode(t *testing.T) {
	t.Parallel()
	for value, want := range map[string]bool{"true": true, "": false, "false": false, "1": false, "TRUE": false} {
		var args []string // Actions mode rejects arguments; CLI mode needs --module
		if !want {
			args = []string{"--module=m"}
		}
		a, err := New(testSpec(), newTestEnv(t, map[string]string{"GITHUB_ACTIONS": value, "INPUT_MODULE": "m"}, args...).Env)
		if err != nil {
			t.Fatalf("GITHUB_ACTIONS=%q: %v", value, err)
		}
		if a.InActions() != want {
			t.Errorf("GITHUB_ACTIONS=%q: InActions() = %v, want %v", value, a.InActions(), want)
		}
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"-h"}, {"-help"}, {"--module=m", "--help"}} {
		te := newTestEnv(t, nil, args...)
		a, err := New(testSpec(), te.Env)
		if a != nil || !errors.Is(err, ErrHelp) {
			t.Errorf("New(%q) = %v, %v; want nil, ErrHelp", args, a, err)
		}
		golden(t, "help.golden", te.stdout.String())
		if te.stderr.Len() != 0 {
			t.Errorf("New(%q) wrote %q to stderr", args, te.stderr)
		}
	}
}

func TestNewSetupErrors(t *testing.T) {
	t.Parallel()
	bad := testSpec()
	bad.Inputs = append(bad.Inputs, Input{Name: "help", Description: "Clash."})
	relative := newTestEnv(t, nil, "--module=m").Env
	relative.Dir = "some/dir"
	empty := newTestEnv(t, nil, "--module=m").Env
	empty.Dir = ""
	tests := []struct {
		name string
		spec Spec
		env  Env
		want string
	}{
		{"invalid spec", bad, newTestEnv(t, nil).Env, `invalid action declaration: spec "demo": input "help": name is reserved`},
		{"relative dir", testSpec(), relative, `working directory "some/dir" is not absolute`},
		{"empty dir", testSpec(), empty, `working directory "" is not absolute`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tt.spec, tt.env)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("New() error = %v, want %q", err, tt.want)
			}
			if ExitCode(err) != ExitFailure {
				t.Errorf("ExitCode = %d, want %d (a programming error, not usage)", ExitCode(err), ExitFailure)
			}
		})
	}
}

func TestNilEnvFields(t *testing.T) {
	t.Parallel()
	a, err := New(Spec{Name: "x", Description: "X."}, Env{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	a.Infof("goes nowhere")
	a.Annotate(Annotation{Message: "nowhere"})
	if err := a.Flush(); err != nil {
		t.Errorf("Flush() = %v", err)
	}
	if a.InActions() || a.Getenv("HOME") != "" {
		t.Errorf("nil Getenv should read as an empty environment")
	}
}

func TestSecretInput(t *testing.T) {
	t.Parallel()
	spec := Spec{Name: "x", Description: "X.", Inputs: []Input{
		{Name: "token", Description: "T.", Secret: true},
		{Name: "pin", Description: "P.", Kind: KindInt, Secret: true},
	}}
	t.Run("masked in Actions", func(t *testing.T) {
		t.Parallel()
		te := newTestEnv(t, map[string]string{"GITHUB_ACTIONS": "true", "INPUT_TOKEN": " s3cr3t ", "INPUT_PIN": "1234"})
		a, err := New(spec, te.Env)
		if err != nil {
			t.Fatal(err)
		}
		a.Infof("token=%s pin=%d", a.String("token"), a.Int("pin"))
		want := "::add-mask::s3cr3t\n::add-mask::1234\ntoken=*** pin=***\n"
		if diff := cmp.Diff(want, te.stdout.String()); diff != "" {
			t.Errorf("stdout (-want +got):\n%s", diff)
		}
	})
	t.Run("masked in CLI", func(t *testing.T) {
		t.Parallel()
		te := newTestEnv(t, nil, "--token=s3cr3t")
		a, err := New(spec, te.Env)
		if err != nil {
			t.Fatal(err)
		}
		a.Infof("token=%s", a.String("token"))
		if got, want := te.stderr.String(), "token=***\n"; got != want {
			t.Errorf("stderr = %q, want %q", got, want)
		}
	})
	t.Run("bad value not echoed", func(t *testing.T) {
		t.Parallel()
		_, err := New(spec, newTestEnv(t, nil, "--pin=hunter2").Env)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("New() error = %v, want an error that does not show the value", err)
		}
		if want := `input "pin": invalid integer (secret)`; err.Error() != want {
			t.Errorf("New() error = %q, want %q", err, want)
		}
	})
}

func TestWorkspaceAndGitHub(t *testing.T) {
	t.Parallel()
	vars := map[string]string{
		"GITHUB_ACTIONS":     "true",
		"GITHUB_WORKSPACE":   "/home/runner/work/repo/repo/",
		"GITHUB_REF":         "refs/tags/v1.2.3",
		"GITHUB_REF_NAME":    "v1.2.3",
		"GITHUB_REF_TYPE":    "tag",
		"GITHUB_SHA":         strings.Repeat("a", 40),
		"GITHUB_REPOSITORY":  "octo/repo",
		"GITHUB_RUN_ID":      "123",
		"GITHUB_RUN_ATTEMPT": "2",
		"GITHUB_SERVER_URL":  "https://github.com",
		"GITHUB_WORKFLOW":    "release",
		"GITHUB_EVENT_NAME":  "push",
		"GITHUB_ACTOR":       "octocat",
	}
	te := newTestEnv(t, vars)
	a, err := New(Spec{Name: "x", Description: "X."}, te.Env)
	if err != nil {
		t.Fatal(err)
	}
	want := GitHubContext{
		Ref: "refs/tags/v1.2.3", RefName: "v1.2.3", RefType: "tag", SHA: strings.Repeat("a", 40),
		Repository: "octo/repo", RunID: "123", RunAttempt: "2", ServerURL: "https://github.com",
		Workflow: "release", EventName: "push", Actor: "octocat", Workspace: "/home/runner/work/repo/repo",
	}
	if diff := cmp.Diff(want, a.GitHub()); diff != "" {
		t.Errorf("GitHub() (-want +got):\n%s", diff)
	}
	if a.Dir() != te.Dir || a.Getenv("GITHUB_SHA") != vars["GITHUB_SHA"] {
		t.Errorf("Dir() = %q, Getenv = %q; want the Env's", a.Dir(), a.Getenv("GITHUB_SHA"))
	}

	tests := []struct {
		name string
		vars map[string]string
		want func(dir string) string
	}{
		{"CLI ignores GITHUB_WORKSPACE", map[string]string{"GITHUB_WORKSPACE": "/elsewhere"}, func(dir string) string { return dir }},
		{"Actions without GITHUB_WORKSPACE", map[string]string{"GITHUB_ACTIONS": "true"}, func(dir string) string { return dir }},
		{"Actions relative GITHUB_WORKSPACE", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": "sub/../src"}, func(dir string) string { return dir + "/src" }},
		{"Actions absolute GITHUB_WORKSPACE", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": "/w//x/."}, func(string) string { return "/w/x" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			te := newTestEnv(t, tt.vars)
			te.Dir += "/"
			a, err := New(Spec{Name: "x", Description: "X."}, te.Env)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want(strings.TrimSuffix(te.Dir, "/"))
			if got := a.Workspace(); got != want {
				t.Errorf("Workspace() = %q, want %q", got, want)
			}
			if got := a.GitHub().Workspace; got != want {
				t.Errorf("GitHub().Workspace = %q, want %q", got, want)
			}
		})
	}
}
