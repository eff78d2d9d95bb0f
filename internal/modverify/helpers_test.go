package modverify

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/build"
	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// world is what a test runs against: a module proxy (a directory served as
// file:// or over HTTP on 127.0.0.1) holding the modules of
// testdata/proxy, a checksum database on 127.0.0.1 holding their hashes, and
// an empty module cache.
type world struct {
	proxyDir string
	hashes   []testutil.ModuleHash
	sumdb    *testutil.SumDB
	modcache string
	env      map[string]string // the Go settings of every command and run
}

// newWorld starts the proxy and checksum database. With httpProxy the proxy
// is served over HTTP, else as a file:// URL.
func newWorld(t *testing.T, httpProxy bool) *world {
	t.Helper()
	w := &world{}
	w.proxyDir, w.hashes = testutil.GoProxyDir(t, filepath.Join("testdata", "proxy"))
	w.sumdb = testutil.StartSumDB(t, "sum.slipway.test", w.hashes)
	w.modcache = testutil.ModCache(t)
	proxy := testutil.FileURL(w.proxyDir)
	if httpProxy {
		proxy = testutil.ServeDir(t, w.proxyDir)
	}
	// GOPATH is the test's own: the go command keeps the checksum
	// database's latest signed tree in GOPATH/pkg/sumdb/<name>, and every
	// test's database has its own key.
	// Every setting the go command reads from its env file is given here, so
	// that this machine's go env file (GOFLAGS=-buildvcs=false here, others
	// elsewhere) does not matter.
	w.env = map[string]string{
		"GOENV": "off", "GOFLAGS": "", "GOPROXY": proxy, "GOSUMDB": w.sumdb.GOSUMDB(),
		"GONOSUMDB": "", "GOPRIVATE": "", "GONOPROXY": "", "GOINSECURE": "", "GONOSUMCHECK": "",
		"GOMODCACHE": w.modcache, "GOPATH": t.TempDir(), "GOTOOLCHAIN": "local", "GOWORK": "", "GOTELEMETRY": "off",
		"GITHUB_ACTIONS": "", "GITHUB_WORKSPACE": "", "GITHUB_BASE_REF": "", "RUNNER_TEMP": "",
		"SOURCE_DATE_EPOCH": "", "GITHUB_REF": "", "GITHUB_SHA": "",
	}
	return w
}

// getenv is the environment of a run: the world's settings over the
// process environment (PATH, HOME, GOCACHE).
func (w *world) getenv(extra map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := extra[k]; ok {
			return v
		}
		if v, ok := w.env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
}

// environ is the same environment as a list, for commands a test runs.
func (w *world) environ(extra map[string]string) []string {
	env := os.Environ()
	for _, m := range []map[string]string{w.env, extra} {
		for k, v := range m {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// goCmd runs the go command in dir with the world's settings.
func (w *world) goCmd(t *testing.T, dir string, extra map[string]string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = w.environ(extra)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// hash returns the go.sum hashes of a proxy module version.
func (w *world) hash(t *testing.T, path, version string) testutil.ModuleHash {
	t.Helper()
	for _, h := range w.hashes {
		if h.Path == path && h.Version == version {
			return h
		}
	}
	t.Fatalf("%s@%s is not in the test proxy", path, version)
	return testutil.ModuleHash{}
}

// workspace copies testdata/mods/<name> into a new workspace directory.
// Go files kept deliberately unformatted (gofmt would rewrite their build
// lines) are stored as <name>.go.txt and get their .go name back here.
func workspace(t *testing.T, name string) string {
	t.Helper()
	ws := filepath.Join(t.TempDir(), "ws")
	testutil.CopyDir(t, filepath.Join("testdata", "mods", name), ws)
	txt, _ := filepath.Glob(filepath.Join(ws, "*.go.txt"))
	for _, f := range txt {
		if err := os.Rename(f, strings.TrimSuffix(f, ".txt")); err != nil {
			t.Fatal(err)
		}
	}
	return ws
}

// result is one run of the action.
type result struct {
	code           int
	stdout, stderr string
}

// run runs verify-mod in-process as its main would, with ws as the working
// directory, in CLI mode unless extra sets GITHUB_ACTIONS.
func (w *world) run(t *testing.T, ws string, extra map[string]string, args ...string) result {
	t.Helper()
	cache := filepath.Join(t.TempDir(), "sumdb-cache")
	if extra["GITHUB_ACTIONS"] == "true" {
		if _, ok := extra["INPUT_SUMDB_CACHE"]; !ok {
			extra = maps.Clone(extra)
			extra["INPUT_SUMDB_CACHE"] = cache
		}
	} else if !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--sumdb-cache") }) {
		args = append(args, "--sumdb-cache", cache)
	}
	var stdout, stderr bytes.Buffer
	deps := Deps{
		Runner: build.ExecRunner{}, HTTP: &http.Client{Timeout: 10 * time.Second},
		TempDir: t.TempDir(), SumDBRetry: RetryPolicy{Attempts: 3, Base: 10 * time.Millisecond}, Concurrency: 4,
	}
	code := gha.Run(context.Background(), ActionSpec(), gha.Env{Args: args, Getenv: w.getenv(extra), Stdout: &stdout, Stderr: &stderr, Dir: ws},
		func(ctx context.Context, a *gha.Action) error { return Run(ctx, a, deps) })
	return result{code, stdout.String(), stderr.String()}
}

func (r result) mustCode(t *testing.T, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, want, r.stdout, r.stderr)
	}
}

// outputs parses CLI outputs printed with --output-format json.
func (r result) outputs(t *testing.T) map[string]string {
	t.Helper()
	var out map[string]string
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &out); err != nil {
		t.Fatalf("stdout is not one JSON object (run with --output-format json): %v\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	return out
}

// findings parses the findings output.
func (r result) findings(t *testing.T) []Finding {
	t.Helper()
	var fs []Finding
	if err := json.Unmarshal([]byte(r.outputs(t)["findings"]), &fs); err != nil {
		t.Fatalf("findings output: %v\n%s", err, r.stdout)
	}
	return fs
}

// place is a finding reduced to what tests compare: rule, file and line.
type place struct {
	Rule, File string
	Line       int
}

func places(fs []Finding) []place {
	out := []place{}
	for _, f := range fs {
		out = append(out, place{f.Rule, f.File, f.Line})
	}
	return out
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replaceIn rewrites old to new in a file, failing when old is absent.
func replaceIn(t *testing.T, path, old, new string) {
	t.Helper()
	b := testutil.ReadFile(t, path)
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	writeFile(t, path, strings.Replace(string(b), old, new, 1))
}
