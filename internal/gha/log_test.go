package gha

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newModeAction returns an Action in Actions mode or CLI mode with the
// given extra variables.
func newModeAction(t *testing.T, actions bool, extra map[string]string) (*Action, *testEnv) {
	t.Helper()
	vars := map[string]string{}
	args := []string{"--module=m"}
	if actions {
		vars, args = actionsVars(t, map[string]string{"INPUT_MODULE": "m"}), nil
	}
	for k, v := range extra {
		vars[k] = v
	}
	te := newTestEnv(t, vars, args...)
	a, err := New(testSpec(), te.Env)
	if err != nil {
		t.Fatal(err)
	}
	return a, te
}

func TestAnnotate(t *testing.T) {
	t.Parallel()
	full := Annotation{Level: LevelError, File: "cmd/app/main.go", Line: 12, EndLine: 14, Col: 3, EndColumn: 9, Title: "vet: printf", Message: "bad format\nsecond line"}
	tests := []struct {
		name          string
		an            Annotation
		actions, text string // what Actions mode writes to stdout, CLI mode to stderr
	}{
		{
			name:    "every property",
			an:      full,
			actions: "::error col=3,endColumn=9,endLine=14,file=cmd/app/main.go,line=12,title=vet%3A printf::bad format%0Asecond line\n",
			text:    "error: cmd/app/main.go:12:3: vet: printf: bad format\nsecond line\n",
		},
		{
			name:    "message only",
			an:      Annotation{Level: LevelNotice, Message: "all good"},
			actions: "::notice::all good\n",
			text:    "notice: all good\n",
		},
		{
			name:    "warning with file",
			an:      Annotation{Level: LevelWarning, File: "go.mod", Message: "replace directive"},
			actions: "::warning file=go.mod::replace directive\n",
			text:    "warning: go.mod: replace directive\n",
		},
		{
			name:    "file and line",
			an:      Annotation{Level: LevelWarning, File: "go.sum", Line: 7, Message: "missing hash"},
			actions: "::warning file=go.sum,line=7::missing hash\n",
			text:    "warning: go.sum:7: missing hash\n",
		},
		{
			name:    "title without file",
			an:      Annotation{Level: LevelError, Title: "gate", Message: "3 critical"},
			actions: "::error title=gate::3 critical\n",
			text:    "error: gate: 3 critical\n",
		},
		{
			name:    "line without file has no place in CLI",
			an:      Annotation{Level: LevelError, Line: 3, Message: "m"},
			actions: "::error line=3::m\n",
			text:    "error: m\n",
		},
		{
			name:    "escaping",
			an:      Annotation{Level: LevelError, File: "a,b:c%.go", Title: "t,1", Message: "100% done\r\n::add-mask::x"},
			actions: "::error file=a%2Cb%3Ac%25.go,title=t%2C1::100%25 done%0D%0A::add-mask::x\n",
			text:    "error: a,b:c%.go: t,1: 100% done\r\n::add-mask::x\n",
		},
		{
			name:    "masked everywhere",
			an:      Annotation{Level: LevelError, File: "hunter2.txt", Title: "hunter2", Message: "leaked hunter2"},
			actions: "::error file=***.txt,title=***::leaked ***\n",
			text:    "error: ***.txt: ***: leaked ***\n",
		},
	}
	for _, tt := range tests {
		for _, actions := range []bool{true, false} {
			t.Run(tt.name+map[bool]string{true: "/actions", false: "/cli"}[actions], func(t *testing.T) {
				t.Parallel()
				a, te := newModeAction(t, actions, nil)
				a.Mask("hunter2")
				te.stdout.Reset()
				a.Annotate(tt.an)
				gotOut, gotErr, want := te.stdout.String(), te.stderr.String(), tt.text
				if actions {
					gotOut, gotErr, want = te.stderr.String(), te.stdout.String(), tt.actions
				}
				if diff := cmp.Diff(want, gotErr); diff != "" {
					t.Errorf("annotation (-want +got):\n%s", diff)
				}
				if gotOut != "" {
					t.Errorf("also wrote %q to the other stream", gotOut)
				}
			})
		}
	}
}

func TestWarnf(t *testing.T) {
	t.Parallel()
	a, te := newModeAction(t, true, nil)
	a.Warnf("%d files skipped", 2)
	c, ce := newModeAction(t, false, nil)
	c.Warnf("%d files skipped", 2)
	got := []string{te.stdout.String(), ce.stderr.String()}
	want := []string{"::warning::2 files skipped\n", "warning: 2 files skipped\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Warnf (-want +got):\n%s", diff)
	}
}

func TestMaskLogs(t *testing.T) {
	t.Parallel()
	log := func(a *Action) {
		a.Mask("")   // ignored
		a.Mask("  ") // ignored
		a.Mask("pw") // contained in the next one
		a.Mask("pw-long")
		a.Mask("pw-long") // registered once
		a.Mask("line1\nline2")
		a.Infof("a=%s b=%s", "pw-long", "pw")
		a.Infof("single line2 in text")
		a.Debugf("debug pw")
		end := a.Group("group pw")
		end()
		end() // ends once
		a.Warnf("warn pw-long")
	}
	t.Run("actions", func(t *testing.T) {
		t.Parallel()
		a, te := newModeAction(t, true, nil)
		log(a)
		want := strings.Join([]string{
			"::add-mask::pw",
			"::add-mask::pw-long",
			"::add-mask::line1%0Aline2",
			"::add-mask::line1",
			"::add-mask::line2",
			"a=*** b=***",
			"single *** in text",
			"::debug::debug ***",
			"::group::group ***",
			"::endgroup::",
			"::warning::warn ***",
		}, "\n") + "\n"
		if diff := cmp.Diff(want, te.stdout.String()); diff != "" {
			t.Errorf("stdout (-want +got):\n%s", diff)
		}
		if te.stderr.Len() != 0 {
			t.Errorf("stderr = %q, want nothing in Actions mode", te.stderr)
		}
	})
	t.Run("cli", func(t *testing.T) {
		t.Parallel()
		a, te := newModeAction(t, false, map[string]string{"SLIPWAY_DEBUG": "1"})
		log(a)
		want := strings.Join([]string{
			"a=*** b=***",
			"single *** in text",
			"debug: debug ***",
			"==> group ***",
			"warning: warn ***",
		}, "\n") + "\n"
		if diff := cmp.Diff(want, te.stderr.String()); diff != "" {
			t.Errorf("stderr (-want +got):\n%s", diff)
		}
		if te.stdout.Len() != 0 {
			t.Errorf("stdout = %q, want nothing: it is for outputs", te.stdout)
		}
	})
}

func TestDebugfCLIGate(t *testing.T) {
	t.Parallel()
	for value, want := range map[string]string{"": "", "0": "", "true": "", "1": "debug: x=1\n"} {
		a, te := newModeAction(t, false, map[string]string{"SLIPWAY_DEBUG": value})
		a.Debugf("x=%d\n", 1)
		if got := te.stderr.String(); got != want {
			t.Errorf("SLIPWAY_DEBUG=%q: stderr = %q, want %q", value, got, want)
		}
	}
}

func TestInfofCommandInjection(t *testing.T) {
	t.Parallel()
	token := strings.Repeat("ab", 16)
	tests := []struct {
		name, msg, want string
	}{
		{"plain", "building linux/amd64", "building linux/amd64\n"},
		{"colons inside a line", "see https://x ::not a command", "see https://x ::not a command\n"},
		{"trailing newline trimmed", "done\n", "done\n"},
		{"command on a later line", "file list:\n  ::add-mask::x",
			"::stop-commands::" + token + "\nfile list:\n  ::add-mask::x\n::" + token + "::\n"},
		{"command first", "::error::forged", "::stop-commands::" + token + "\n::error::forged\n::" + token + "::\n"},
		{"carriage return", "a\r::warning::forged", "::stop-commands::" + token + "\na\r::warning::forged\n::" + token + "::\n"},
		{"legacy syntax", "x ##[error]forged", "::stop-commands::" + token + "\nx ##[error]forged\n::" + token + "::\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			te := newTestEnv(t, actionsVars(t, map[string]string{"INPUT_MODULE": "m"}))
			te.Rand = &seqReader{blocks: [][]byte{repeat(0xab, 16)}}
			a, err := New(testSpec(), te.Env)
			if err != nil {
				t.Fatal(err)
			}
			a.Infof("%s", tt.msg)
			if diff := cmp.Diff(tt.want, te.stdout.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("no randomness", func(t *testing.T) {
		t.Parallel()
		te := newTestEnv(t, actionsVars(t, map[string]string{"INPUT_MODULE": "m"}))
		te.Rand = strings.NewReader("")
		a, err := New(testSpec(), te.Env)
		if err != nil {
			t.Fatal(err)
		}
		a.Infof("ok\n::error::forged\nx ##[error]y")
		if got, want := te.stdout.String(), "ok\n> ::error::forged\n> x ## [error]y\n"; got != want {
			t.Errorf("stdout = %q, want %q", got, want)
		}
	})
}

func TestGroupCLI(t *testing.T) {
	t.Parallel()
	a, te := newModeAction(t, false, nil)
	end := a.Group("Build linux/amd64")
	a.Infof("compiling")
	end()
	if got, want := te.stderr.String(), "==> Build linux/amd64\ncompiling\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
}

func TestLevelString(t *testing.T) {
	t.Parallel()
	got := []string{LevelNotice.String(), LevelWarning.String(), LevelError.String(), Level(7).String()}
	if diff := cmp.Diff([]string{"notice", "warning", "error", "Level(7)"}, got); diff != "" {
		t.Errorf("Level.String (-want +got):\n%s", diff)
	}
}
