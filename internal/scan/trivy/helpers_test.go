package trivy

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/scan"
)

func nilLogger() *log.Logger { return log.New(io.Discard, "", 0) }

// result is one run of the action in CLI mode.
type result struct {
	code           int
	stdout, stderr string
	ws             string
}

// runCLI runs the scan action in-process as cmd/scan's main would, in CLI
// mode, with ws as working directory. Trivy's DB handle is process-wide, so
// tests that scan do not run in parallel.
func runCLI(t *testing.T, ws string, env map[string]string, args ...string) result {
	t.Helper()
	clear := map[string]string{"GITHUB_ACTIONS": "", "GITHUB_WORKSPACE": "", "SOURCE_DATE_EPOCH": "", "RUNNER_TOOL_CACHE": ""}
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		if v, ok := clear[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	environ := append(os.Environ(), "GOFLAGS=-mod=mod")
	var stdout, stderr bytes.Buffer
	deps := scan.Deps{
		NewBackend: func(context.Context) (scan.Backend, error) {
			return New(Options{Environ: environ, TempDir: t.TempDir(), Now: time.Now}), nil
		},
		Now:     time.Now,
		Version: "test",
	}
	code := gha.Run(context.Background(), scan.ActionSpec(), gha.Env{Args: args, Getenv: getenv, Stdout: &stdout, Stderr: &stderr, Dir: ws},
		func(ctx context.Context, a *gha.Action) error { return scan.Run(ctx, a, deps) })
	return result{code, stdout.String(), stderr.String(), ws}
}

func (r result) mustCode(t *testing.T, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, want, r.stdout, r.stderr)
	}
}

// outputs parses the name=value lines of CLI mode.
func (r result) outputs(t *testing.T) map[string]string {
	t.Helper()
	out := make(map[string]string)
	for _, l := range bytes.Split([]byte(r.stdout), []byte("\n")) {
		if k, v, ok := bytes.Cut(l, []byte("=")); ok {
			out[string(k)] = string(v)
		}
	}
	return out
}

func (r result) report(t *testing.T) scan.Report {
	t.Helper()
	var rep scan.Report
	if err := json.Unmarshal(readFile(t, filepath.Join(r.ws, "dist", "scan", "report.json")), &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

func (r result) manifest(t *testing.T) *manifest.Manifest {
	t.Helper()
	m, err := manifest.Load(filepath.Join(r.ws, "dist", manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fixture is a registry with the fixture DB pushed, and a govulncheck DB.
type fixture struct {
	host, repo, digest, vulnDB string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	host := startRegistry(t)
	f := fixture{host: host, repo: host + "/aquasec/trivy-db:2", vulnDB: vulnDB(t)}
	f.digest = pushDB(t, f.repo, tarGz(t, dbFiles(t, "HIGH")))
	return f
}

// args are the flags every scan in the tests passes: the fixture's DB and
// govulncheck DB and a fresh cache.
func (f fixture) args(t *testing.T, extra ...string) []string {
	return append([]string{"--db-repository", f.repo, "--vuln-db", f.vulnDB, "--cache-dir", t.TempDir()}, extra...)
}
