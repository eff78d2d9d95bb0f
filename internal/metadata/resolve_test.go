package metadata

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// resolveEnv is the environment the runner gives the resolve step.
type resolveEnv struct {
	actionPath, ref, toolCache, temp, output, releaseURL string
}

func (e resolveEnv) run(t *testing.T, phase string) (map[string]string, string, error) {
	t.Helper()
	if err := os.WriteFile(e.output, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", filepath.Join(e.actionPath, "..", "resolve.sh"), phase)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"SLIPWAY_ACTION=build-matrix", "SLIPWAY_ACTION_PATH=" + e.actionPath, "SLIPWAY_ACTION_REF=" + e.ref,
		"RUNNER_OS=Linux", "RUNNER_ARCH=X64", "RUNNER_TOOL_CACHE=" + e.toolCache, "RUNNER_TEMP=" + e.temp,
		"GITHUB_OUTPUT=" + e.output, "SLIPWAY_RELEASE_URL=" + e.releaseURL,
		"GOCACHE=" + goEnv(t, "GOCACHE"), "GOMODCACHE=" + goEnv(t, "GOMODCACHE"), "GOPROXY=" + goEnv(t, "GOPROXY"),
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	outs := map[string]string{}
	for _, l := range strings.Split(string(testutil.ReadFile(t, e.output)), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			outs[k] = v
		}
	}
	return outs, out.String(), err
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// fakeRelease lays out an action tree at a release commit: resolve.sh, the
// action folder and actions/checksums.txt with the digest of bin.
func fakeRelease(t *testing.T, bin []byte) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "actions", "build-matrix"), 0o755); err != nil {
		t.Fatal(err)
	}
	script := testutil.ReadFile(t, filepath.Join("..", "..", "actions", "resolve.sh"))
	if err := os.WriteFile(filepath.Join(root, "actions", "resolve.sh"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(bin)
	sums := fmt.Sprintf("%s  build-matrix_linux_amd64\n%s  build-matrix_darwin_arm64\n", hex.EncodeToString(sum[:]), strings.Repeat("0", 64))
	if err := os.WriteFile(filepath.Join(root, "actions", "checksums.txt"), []byte(sums), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "actions", "build-matrix")
}

// TestResolveRelease serves a release from 127.0.0.1: the verified binary is
// installed and runs; a tampered one is refused before it runs; the tool
// cache is used (and verified) on the next job.
func TestResolveRelease(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the fake release is for linux/amd64")
	}
	t.Parallel()
	dir := t.TempDir()
	binPath := filepath.Join(dir, "build-matrix")
	if out, err := exec.Command("go", "build", "-o", binPath, "../../cmd/build-matrix").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	good := testutil.ReadFile(t, binPath)
	tampered := append(bytes.Clone(good), []byte("#!/bin/sh\ntouch pwned\n")...)

	var serve atomic.Pointer[[]byte]
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/v9.9.9/build-matrix_linux_amd64" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(*serve.Load())
	}))
	t.Cleanup(srv.Close)

	e := resolveEnv{actionPath: fakeRelease(t, good), ref: "v9.9.9", toolCache: filepath.Join(dir, "toolcache"), temp: t.TempDir(), output: filepath.Join(dir, "out"), releaseURL: srv.URL}

	serve.Store(&tampered)
	outs, log, err := e.run(t, "resolve")
	if err == nil || outs["bin"] != "" {
		t.Fatalf("a tampered release asset was accepted: bin=%q\n%s", outs["bin"], log)
	}
	if !strings.Contains(log, "refusing to run it") || !strings.Contains(log, "actions/checksums.txt at v9.9.9") {
		t.Errorf("the refusal does not say why:\n%s", log)
	}
	if _, err := os.Stat(filepath.Join(e.toolCache, "slipway", "v9.9.9", "linux-amd64", "build-matrix")); !os.IsNotExist(err) {
		t.Error("the tampered binary reached the tool cache")
	}

	serve.Store(&good)
	outs, log, err = e.run(t, "resolve")
	if err != nil {
		t.Fatalf("resolve: %v\n%s", err, log)
	}
	want := filepath.Join(e.toolCache, "slipway", "v9.9.9", "linux-amd64", "build-matrix")
	if outs["bin"] != want {
		t.Fatalf("bin = %q, want %q\n%s", outs["bin"], want, log)
	}
	if out, err := exec.Command(outs["bin"], "--help").CombinedOutput(); err != nil || !strings.Contains(string(out), "usage: build-matrix") {
		t.Errorf("the installed binary does not run: %v\n%s", err, out)
	}

	// Pinned by the release commit's SHA: actions/version names the release.
	sha := resolveEnv{actionPath: fakeRelease(t, good), ref: "0123456789abcdef0123456789abcdef01234567", toolCache: filepath.Join(dir, "toolcache-sha"), temp: t.TempDir(), output: filepath.Join(dir, "out-sha"), releaseURL: srv.URL}
	if err := os.WriteFile(filepath.Join(sha.actionPath, "..", "version"), []byte("v9.9.9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	outs, log, err = sha.run(t, "resolve")
	if wantSHA := filepath.Join(sha.toolCache, "slipway", "v9.9.9", "linux-amd64", "build-matrix"); err != nil || outs["bin"] != wantSHA {
		t.Errorf("pinned by SHA: bin=%q, want %q (err %v)\n%s", outs["bin"], wantSHA, err, log)
	}

	// The next job finds it in the tool cache without downloading.
	before := hits.Load()
	outs, log, err = e.run(t, "resolve")
	if err != nil || outs["bin"] != want || hits.Load() != before {
		t.Errorf("tool cache not used: bin=%q, %d downloads, err %v\n%s", outs["bin"], hits.Load()-before, err, log)
	}
	// A cached binary that no longer matches is not trusted: it is fetched again.
	if err := os.WriteFile(want, tampered, 0o755); err != nil {
		t.Fatal(err)
	}
	outs, log, err = e.run(t, "resolve")
	if err != nil || hits.Load() != before+1 || !bytes.Equal(testutil.ReadFile(t, outs["bin"]), good) {
		t.Errorf("a changed tool cache entry was trusted: err %v\n%s", err, log)
	}
}

// TestResolveFromSource builds the binary from the action's own source when
// the ref has no release, and reuses that build.
func TestResolveFromSource(t *testing.T) {
	if testing.Short() {
		t.Skip("builds build-matrix")
	}
	t.Parallel()
	// A snapshot of the source, as the runner downloads it with the action.
	src := t.TempDir()
	for _, d := range []string{"cmd", "internal", "actions"} {
		testutil.CopyDir(t, filepath.Join("..", "..", d), filepath.Join(src, d))
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		if err := os.WriteFile(filepath.Join(src, f), testutil.ReadFile(t, filepath.Join("..", "..", f)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	actionPath := filepath.Join(src, "actions", "build-matrix")
	dir := t.TempDir()
	e := resolveEnv{actionPath: actionPath, ref: "", toolCache: filepath.Join(dir, "toolcache"), temp: t.TempDir(), output: filepath.Join(dir, "out"), releaseURL: "http://127.0.0.1:1"}
	outs, log, err := e.run(t, "resolve")
	if err != nil || outs["bin"] != "" || !strings.HasPrefix(outs["cache-key"], "slipway-build-matrix-linux-amd64-go") {
		t.Fatalf("resolve without a release: %v, outputs %v\n%s", err, outs, log)
	}
	key := outs["cache-key"]
	outs, log, err = e.run(t, "build")
	if err != nil {
		t.Fatalf("build: %v\n%s", err, log)
	}
	if outs["bin"] != filepath.Join(e.toolCache, "slipway", "src", key, "build-matrix") {
		t.Fatalf("bin = %q\n%s", outs["bin"], log)
	}
	if out, err := exec.Command(outs["bin"], "--help").CombinedOutput(); err != nil || !strings.Contains(string(out), "usage: build-matrix") {
		t.Errorf("the built binary does not run: %v\n%s", err, out)
	}
	outs, log, err = e.run(t, "build")
	if err != nil || strings.Contains(log, "building build-matrix") {
		t.Errorf("the cached build was not reused: %v\n%s", err, log)
	}
}
