package build

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// result is one run of the action in CLI mode.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs build-matrix in-process as its main would, in CLI mode, with
// the workspace ws as working directory. env overrides the process
// environment; GitHub's variables are cleared unless env sets them.
func runCLI(t *testing.T, ws string, env map[string]string, args ...string) result {
	t.Helper()
	clear := map[string]string{"GITHUB_ACTIONS": "", "GITHUB_REF": "", "GITHUB_SHA": "", "GITHUB_WORKSPACE": "", "SOURCE_DATE_EPOCH": "", "RUNNER_TEMP": ""}
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		if v, ok := clear[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	var stdout, stderr bytes.Buffer
	deps := Deps{Runner: ExecRunner{}, Now: time.Now, NumCPU: runtime.NumCPU(), TempDir: t.TempDir()}
	code := gha.Run(context.Background(), ActionSpec(), gha.Env{Args: args, Getenv: getenv, Stdout: &stdout, Stderr: &stderr, Dir: ws},
		func(ctx context.Context, a *gha.Action) error { return Run(ctx, a, deps) })
	return result{code, stdout.String(), stderr.String()}
}

func (r result) mustCode(t *testing.T, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, want, r.stdout, r.stderr)
	}
}

func loadManifest(t *testing.T, dist string) *manifest.Manifest {
	t.Helper()
	m, err := manifest.Load(filepath.Join(dist, manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	return testutil.ReadFile(t, p)
}
