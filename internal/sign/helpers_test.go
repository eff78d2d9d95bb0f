package sign

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/oci"
	"github.com/slipway-dev/slipway/internal/testutil"
)

type result struct {
	code           int
	stdout, stderr string
}

var fastRetry = Retry{Attempts: 4, Base: 10 * time.Millisecond, Max: 50 * time.Millisecond, MaxRetryAfter: 100 * time.Millisecond}

// runCLI runs sign in-process in CLI mode with ws as the working directory.
func runCLI(t *testing.T, ws string, env map[string]string, args ...string) result {
	t.Helper()
	clear := map[string]string{"GITHUB_ACTIONS": "", "GITHUB_WORKSPACE": "", "SOURCE_DATE_EPOCH": "", "COSIGN_PASSWORD": "",
		"ACTIONS_ID_TOKEN_REQUEST_URL": "", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "", "DOCKER_CONFIG": filepath.Join(ws, ".no-docker"), "HOME": ws,
		"GITHUB_REPOSITORY": "", "GITHUB_WORKFLOW_REF": "", "GITHUB_RUN_ID": ""}
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
	code := gha.Run(context.Background(), ActionSpec(), gha.Env{Args: args, Getenv: getenv, Stdout: &stdout, Stderr: &stderr, Dir: ws},
		func(ctx context.Context, a *gha.Action) error {
			return Run(ctx, a, Deps{Retry: fastRetry, OCIRetry: oci.RetryPolicy{Attempts: 3, Base: 10 * time.Millisecond}, Now: func() time.Time { return time.Unix(1700000000, 0) }})
		})
	return result{code, stdout.String(), stderr.String()}
}

func (r result) mustCode(t *testing.T, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, want, r.stdout, r.stderr)
	}
}

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// cosign runs the real cosign v2 CLI offline: TUF_ROOT in a temp dir,
// COSIGN_YES.
func cosign(t *testing.T, dir string, password string, args ...string) (string, error) {
	t.Helper()
	return cosignTool(t, "cosign", dir, password, args...)
}

func mustCosign(t *testing.T, dir, password string, args ...string) string {
	t.Helper()
	return mustCosignTool(t, "cosign", dir, password, args...)
}

// cosignTool runs a pinned cosign: "cosign" (v2) or "cosign3" (v3).
func cosignTool(t *testing.T, tool, dir, password string, args ...string) (string, error) {
	t.Helper()
	return cosignEnv(t, tool, dir, map[string]string{"COSIGN_PASSWORD": password}, args...)
}

// cosignEnv runs a pinned cosign with extra environment variables.
func cosignEnv(t *testing.T, tool, dir string, env map[string]string, args ...string) (string, error) {
	t.Helper()
	bin := testutil.Tool(t, tool)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "COSIGN_YES=true", "TUF_ROOT="+filepath.Join(dir, ".tuf"),
		"SIGSTORE_NO_CACHE=true", "HOME="+dir, "DOCKER_CONFIG="+filepath.Join(dir, ".no-docker"))
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustCosignTool(t *testing.T, tool, dir, password string, args ...string) string {
	t.Helper()
	out, err := cosignTool(t, tool, dir, password, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
	}
	return out
}
