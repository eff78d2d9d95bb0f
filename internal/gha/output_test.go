package gha

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slipway-dev/slipway/internal/testutil"
)

func newActionsAction(t *testing.T, extra map[string]string) (*Action, *testEnv) {
	t.Helper()
	vars := actionsVars(t, map[string]string{"INPUT_MODULE": "m"})
	for k, v := range extra {
		vars[k] = v
	}
	te := newTestEnv(t, vars)
	a, err := New(testSpec(), te.Env)
	if err != nil {
		t.Fatal(err)
	}
	return a, te
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	return string(testutil.ReadFile(t, path))
}

func TestSetOutputActions(t *testing.T) {
	t.Parallel()
	a, te := newActionsAction(t, nil)
	values := map[string]string{
		"matrix":   `{"include":[{"goos":"linux","goarch":"amd64"}]}`,
		"manifest": "dist/manifest.json",
		"count":    "",
	}
	for _, name := range []string{"matrix", "manifest", "count"} {
		if err := a.SetOutput(name, values[name]); err != nil {
			t.Fatal(err)
		}
	}
	text := readFile(t, te.vars["GITHUB_OUTPUT"])
	if diff := cmp.Diff(values, parseOutputFile(t, text)); diff != "" {
		t.Errorf("outputs as the runner reads them (-want +got):\n%s", diff)
	}

	// Every record is "name<<ghadelimiter_<32 hex>", value, delimiter.
	re := regexp.MustCompile(`(?m)^([a-z-]+)<<(ghadelimiter_[0-9a-f]{32})\n`)
	m := re.FindAllStringSubmatch(text, -1)
	if len(m) != 3 {
		t.Fatalf("found %d heredoc headers in %q, want 3", len(m), text)
	}
	seen := map[string]bool{}
	for _, sub := range m {
		if seen[sub[2]] {
			t.Errorf("delimiter %s used twice: want a fresh one per write", sub[2])
		}
		seen[sub[2]] = true
	}
	if want := "matrix<<" + m[0][2] + "\n" + values["matrix"] + "\n" + m[0][2] + "\n"; !strings.HasPrefix(text, want) {
		t.Errorf("file starts %q, want %q", text, want)
	}
	if err := a.Flush(); err != nil || te.stdout.Len() != 0 {
		t.Errorf("Flush() = %v and printed %q; want a no-op in Actions mode", err, te.stdout)
	}
}

// TestSetOutputInjection checks that no value can end its heredoc early and
// so create or overwrite another output.
func TestSetOutputInjection(t *testing.T) {
	t.Parallel()
	forged := []string{
		"x<<EOF\nmanifest=evil\nEOF",
		"ok\nmanifest=evil",
		"ok\nmanifest<<EOF\nevil\nEOF\n",
		"ok\r\nmanifest=evil\r\n",
		"ok\n_GitHubActionsFileCommandDelimeter_\nmanifest=evil\n",
		"ok\nghadelimiter_00000000000000000000000000000000\nmanifest=evil",
		"\n\n",
		"trailing newline\n",
		"count<<x",
		"=",
	}
	for _, value := range forged {
		t.Run(value, func(t *testing.T) {
			t.Parallel()
			a, te := newActionsAction(t, nil)
			if err := a.SetOutput("matrix", value); err != nil {
				t.Fatal(err)
			}
			got := parseOutputFile(t, readFile(t, te.vars["GITHUB_OUTPUT"]))
			if diff := cmp.Diff(map[string]string{"matrix": value}, got); diff != "" {
				t.Errorf("outputs as the runner reads them (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSetOutputDelimiterInValue gives the value the delimiter the first
// random draw would produce: SetOutput must draw again.
func TestSetOutputDelimiterInValue(t *testing.T) {
	t.Parallel()
	first := "ghadelimiter_" + strings.Repeat("00", 16)
	second := "ghadelimiter_" + strings.Repeat("11", 16)
	value := "x\n" + first + "\nmanifest<<" + first + "\nevil"

	vars := actionsVars(t, map[string]string{"INPUT_MODULE": "m"})
	te := newTestEnv(t, vars)
	te.Rand = &seqReader{blocks: [][]byte{repeat(0x00, 16), repeat(0x11, 16)}}
	a, err := New(testSpec(), te.Env)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetOutput("matrix", value); err != nil {
		t.Fatal(err)
	}
	text := readFile(t, vars["GITHUB_OUTPUT"])
	if want := "matrix<<" + second + "\n" + value + "\n" + second + "\n"; text != want {
		t.Errorf("file = %q, want %q", text, want)
	}
	if diff := cmp.Diff(map[string]string{"matrix": value}, parseOutputFile(t, text)); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}

	// A source that keeps producing the same delimiter gives up with an error
	// rather than write a forgeable record.
	stuck := newTestEnv(t, actionsVars(t, map[string]string{"INPUT_MODULE": "m"}))
	stuck.Rand = &seqReader{blocks: [][]byte{repeat(0x00, 16)}}
	a, err = New(testSpec(), stuck.Env)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetOutput("matrix", value); err == nil || !strings.Contains(err.Error(), "no random delimiter") {
		t.Errorf("SetOutput with stuck randomness = %v, want an error", err)
	}
	if _, err := os.Stat(stuck.vars["GITHUB_OUTPUT"]); !os.IsNotExist(err) {
		t.Errorf("GITHUB_OUTPUT was written despite the error (stat: %v)", err)
	}
}

func TestSetOutputErrors(t *testing.T) {
	t.Parallel()
	t.Run("GITHUB_OUTPUT unset", func(t *testing.T) {
		t.Parallel()
		a, _ := newActionsAction(t, map[string]string{"GITHUB_OUTPUT": ""})
		err := a.SetOutput("matrix", "x")
		if err == nil || err.Error() != `setting output "matrix": GITHUB_OUTPUT is not set` {
			t.Errorf("SetOutput() = %v", err)
		}
	})
	t.Run("unwritable GITHUB_OUTPUT", func(t *testing.T) {
		t.Parallel()
		a, _ := newActionsAction(t, map[string]string{"GITHUB_OUTPUT": t.TempDir()})
		if err := a.SetOutput("matrix", "x"); err == nil || !strings.HasPrefix(err.Error(), `setting output "matrix": open `) {
			t.Errorf("SetOutput() = %v, want the open error", err)
		}
	})
	t.Run("broken randomness", func(t *testing.T) {
		t.Parallel()
		te := newTestEnv(t, actionsVars(t, map[string]string{"INPUT_MODULE": "m"}))
		te.Rand = strings.NewReader("short")
		a, err := New(testSpec(), te.Env)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.SetOutput("matrix", "x"); err == nil || !strings.Contains(err.Error(), "reading randomness: unexpected EOF") {
			t.Errorf("SetOutput() = %v, want the read error", err)
		}
	})
	for _, actions := range []bool{false, true} {
		var vars map[string]string
		args := []string{"--module=m"}
		if actions {
			vars, args = actionsVars(t, map[string]string{"INPUT_MODULE": "m"}), nil
		}
		a, err := New(testSpec(), newTestEnv(t, vars, args...).Env)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.SetOutput("undeclared", "x"); err == nil || err.Error() != `setting output "undeclared": not declared by demo` {
			t.Errorf("InActions=%v: SetOutput(undeclared) = %v", actions, err)
		}
	}
}

func TestFlushCLI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		outputs [][2]string // in the order they are set
		want    string
	}{
		{"text in spec order", nil, [][2]string{{"count", "3"}, {"matrix", `{"a":1}`}}, "matrix={\"a\":1}\ncount=3\n"},
		{"text last wins", nil, [][2]string{{"count", "1"}, {"count", "2"}}, "count=2\n"},
		{"text none", nil, nil, ""},
		{"json", []string{"--output-format=json"}, [][2]string{{"count", "3"}, {"manifest", "dist/manifest.json"}, {"matrix", `{"a":"<b>&"}`}},
			`{"matrix":"{\"a\":\"<b>&\"}","manifest":"dist/manifest.json","count":"3"}` + "\n"},
		{"json none", []string{"--output-format", "json"}, nil, "{}\n"},
		{"json escapes", []string{"--output-format=json"}, [][2]string{{"manifest", "a\nb\t\"c\"\\"}}, `{"manifest":"a\nb\t\"c\"\\"}` + "\n"},
		{"masked", []string{"--key-password=hunter2"}, [][2]string{{"manifest", "pw hunter2"}}, "manifest=pw ***\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			te := newTestEnv(t, nil, append([]string{"--module=m"}, tt.args...)...)
			a, err := New(testSpec(), te.Env)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range tt.outputs {
				if err := a.SetOutput(o[0], o[1]); err != nil {
					t.Fatal(err)
				}
			}
			if te.stdout.Len() != 0 {
				t.Errorf("SetOutput printed %q before Flush", te.stdout)
			}
			if err := a.Flush(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, te.stdout.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			// A second Flush prints nothing more.
			if err := a.Flush(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, te.stdout.String()); diff != "" {
				t.Errorf("stdout after a second Flush (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFlushWriteError(t *testing.T) {
	t.Parallel()
	te := newTestEnv(t, nil, "--module=m")
	te.Stdout = failWriter{}
	a, err := New(testSpec(), te.Env)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetOutput("count", "1"); err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(); err == nil || err.Error() != "writing outputs: disk full" {
		t.Errorf("Flush() = %v, want the write error", err)
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	t.Run("Actions appends", func(t *testing.T) {
		t.Parallel()
		a, te := newActionsAction(t, map[string]string{"INPUT_KEY_PASSWORD": "hunter2"})
		for _, md := range []string{"## Build\n", "| a | hunter2 |"} {
			if err := a.Summary(md); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := readFile(t, te.vars["GITHUB_STEP_SUMMARY"]), "## Build\n| a | *** |\n"; got != want {
			t.Errorf("summary file = %q, want %q", got, want)
		}
	})
	t.Run("Actions without GITHUB_STEP_SUMMARY", func(t *testing.T) {
		t.Parallel()
		a, te := newActionsAction(t, map[string]string{"GITHUB_STEP_SUMMARY": ""})
		if err := a.Summary("x"); err != nil || te.stdout.Len()+te.stderr.Len() != 0 {
			t.Errorf("Summary() = %v, printed %q %q; want a silent skip", err, te.stdout, te.stderr)
		}
	})
	t.Run("Actions unwritable", func(t *testing.T) {
		t.Parallel()
		a, _ := newActionsAction(t, map[string]string{"GITHUB_STEP_SUMMARY": t.TempDir()})
		if err := a.Summary("x"); err == nil || !strings.HasPrefix(err.Error(), "writing step summary: ") {
			t.Errorf("Summary() = %v, want a wrapped error", err)
		}
	})
	t.Run("CLI to stderr", func(t *testing.T) {
		t.Parallel()
		te := newTestEnv(t, nil, "--module=m", "--key-password=hunter2")
		a, err := New(testSpec(), te.Env)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Summary("| key | hunter2 |"); err != nil {
			t.Fatal(err)
		}
		if got, want := te.stderr.String(), "| key | *** |\n"; got != want {
			t.Errorf("stderr = %q, want %q", got, want)
		}
		if te.stdout.Len() != 0 {
			t.Errorf("stdout = %q, want nothing", te.stdout)
		}
	})
}

// TestConcurrentOutputs writes outputs from many goroutines; every record
// must stay whole (run with -race).
func TestConcurrentOutputs(t *testing.T) {
	t.Parallel()
	a, te := newActionsAction(t, nil)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			value := strings.Repeat(string(rune('a'+i%26)), 1000) + "\n" + "count=forged"
			if err := a.SetOutput("matrix", value); err != nil {
				t.Error(err)
			}
			a.Infof("wrote %d", i)
		})
	}
	wg.Wait()
	text := readFile(t, te.vars["GITHUB_OUTPUT"])
	got := parseOutputFile(t, text)
	if _, ok := got["count"]; ok || len(got) != 1 {
		t.Errorf("outputs = %v keys, want only matrix", len(got))
	}
	if n := strings.Count(text, "matrix<<ghadelimiter_"); n != 50 {
		t.Errorf("%d records, want 50", n)
	}
	if n := bytes.Count(te.stdout.Bytes(), []byte("\n")); n != 50 {
		t.Errorf("%d log lines, want 50", n)
	}
}
