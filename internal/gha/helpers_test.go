package gha

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	testutil.Golden(t, name, []byte(got))
}

// testSpec is a spec with one input of every kind.
func testSpec() Spec {
	return Spec{
		Name:        "demo",
		Description: "Builds the demo module for every target and records the results in dist/manifest.json.",
		Inputs: []Input{
			{Name: "module", Description: "Module path to build (a | in text is escaped).", Required: true},
			{Name: "targets", Description: "Platforms as goos/goarch, separated by commas or newlines.", Kind: KindList, Default: "linux/amd64,linux/arm64"},
			{Name: "verify-reproducible", Description: "Build twice and compare the results.", Kind: KindBool},
			{Name: "parallelism", Description: "How many builds run at once.", Kind: KindInt, Default: "4"},
			{Name: "timeout", Description: "Time limit for the whole build.", Kind: KindDuration, Default: "10m"},
			{Name: "key-password", Description: "Password of the signing key.", Secret: true},
		},
		Outputs: []Output{
			{Name: "matrix", Description: "The build matrix as compact JSON."},
			{Name: "manifest", Description: "Path of dist/manifest.json, relative to the workspace."},
			{Name: "count", Description: "Number of artifacts | built."},
		},
	}
}

// testEnv holds an Env whose streams are buffers.
type testEnv struct {
	Env
	vars           map[string]string
	stdout, stderr *bytes.Buffer
}

// newTestEnv returns a CLI-mode Env with args; set vars["GITHUB_ACTIONS"] =
// "true" for Actions mode.
func newTestEnv(t *testing.T, vars map[string]string, args ...string) *testEnv {
	t.Helper()
	if vars == nil {
		vars = make(map[string]string)
	}
	te := &testEnv{vars: vars, stdout: new(bytes.Buffer), stderr: new(bytes.Buffer)}
	te.Env = Env{
		Args:   args,
		Getenv: func(k string) string { return vars[k] },
		Stdout: te.stdout,
		Stderr: te.stderr,
		Dir:    t.TempDir(),
	}
	return te
}

// actionsVars returns the variables of an Actions run with GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY in a temporary directory, plus extra.
func actionsVars(t *testing.T, extra map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	vars := map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"),
	}
	for k, v := range extra {
		vars[k] = v
	}
	return vars
}

// getValue returns the typed value of input name as any.
func getValue(a *Action, in Input) any {
	switch in.Kind {
	case KindBool:
		return a.Bool(in.Name)
	case KindList:
		return a.List(in.Name)
	case KindInt:
		return a.Int(in.Name)
	case KindDuration:
		return a.Duration(in.Name)
	}
	return a.String(in.Name)
}

// seqReader returns the bytes of blocks in turn, each read filling p from the
// current block; after the last block it repeats the last one.
type seqReader struct {
	blocks [][]byte
	i      int
}

func (r *seqReader) Read(p []byte) (int, error) {
	b := r.blocks[min(r.i, len(r.blocks)-1)]
	r.i++
	return copy(p, b), nil
}

func repeat(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

// parseOutputFile parses a GITHUB_OUTPUT file the way the runner does
// (actions/runner FileCommandManager.cs, EnvFileKeyValuePairs, Linux line
// endings): blank lines are skipped, "k=v" is a plain value, "k<<D" starts a
// heredoc that ends at a line equal to D. Repeated keys: last wins.
func parseOutputFile(t *testing.T, text string) map[string]string {
	t.Helper()
	out := make(map[string]string)
	idx := 0
	readLine := func() (line string, ok bool) {
		if idx >= len(text) {
			return "", false
		}
		start := idx
		lf := strings.IndexByte(text[idx:], '\n')
		if lf < 0 {
			idx = len(text)
			return text[start:], true
		}
		idx += lf + 1
		return text[start : start+lf], true
	}
	for line, ok := readLine(); ok; line, ok = readLine() {
		if line == "" {
			continue
		}
		eq, hd := strings.Index(line, "="), strings.Index(line, "<<")
		switch {
		case eq >= 0 && (hd < 0 || eq < hd):
			out[line[:eq]] = line[eq+1:]
		case hd >= 0:
			key, delim := line[:hd], line[hd+2:]
			if key == "" || delim == "" {
				t.Fatalf("invalid heredoc line %q", line)
			}
			start, end := idx, idx
			for {
				l, ok := readLine()
				if !ok {
					t.Fatalf("delimiter %q not found", delim)
				}
				if l == delim {
					break
				}
				end = idx - 1
			}
			out[key] = text[start:end]
		default:
			t.Fatalf("invalid line %q", line)
		}
	}
	return out
}
