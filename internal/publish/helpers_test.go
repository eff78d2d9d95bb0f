package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/oci"
)

// result is one run of the action in CLI mode.
type result struct {
	code           int
	stdout, stderr string
}

// fastRetry keeps retry waits short in tests; the bounds are still real.
var fastRetry = oci.RetryPolicy{Attempts: 5, Base: 20 * time.Millisecond, Max: 200 * time.Millisecond, MaxRetryAfter: time.Second}

// runCLI runs publish in-process as its main would, in CLI mode, with ws as
// the working directory. env overrides the process environment (GitHub's
// variables and DOCKER_CONFIG are cleared unless env sets them).
func runCLI(t *testing.T, ws string, tr http.RoundTripper, env map[string]string, args ...string) result {
	t.Helper()
	clear := map[string]string{"GITHUB_ACTIONS": "", "GITHUB_REF": "", "GITHUB_SHA": "", "GITHUB_WORKSPACE": "", "SOURCE_DATE_EPOCH": "",
		"GITHUB_TOKEN": "", "GITHUB_REPOSITORY": "", "GITHUB_API_URL": "", "DOCKER_CONFIG": filepath.Join(ws, ".no-docker-config"), "HOME": ws}
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
			return Run(ctx, a, Deps{Transport: tr, Retry: fastRetry})
		})
	return result{code, stdout.String(), stderr.String()}
}

func (r result) mustCode(t *testing.T, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, want, r.stdout, r.stderr)
	}
}

// fixtureProject is the project of fixture dists.
func fixtureProject(version, ref string) manifest.Project {
	return manifest.Project{
		Module: "github.com/slipway-dev/hello", Name: "hello", Version: version,
		Commit: "0123456789abcdef0123456789abcdef01234567", CommitTime: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), Ref: ref,
	}
}

// writeDist writes dist/ in ws as build-matrix would: one "binary" per
// target (distinct content per platform), an archive and checksums, and the
// manifest. targets are goos/goarch[/variant].
func writeDist(t *testing.T, ws, dist string, p manifest.Project, targets ...[3]string) *manifest.Manifest {
	t.Helper()
	dir := filepath.Join(ws, dist)
	m := manifest.New(p)
	add := func(kind manifest.Kind, rel string, content []byte, goos, goarch, variant string) {
		full := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, content, 0o755); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(content)
		m.Add(manifest.Artifact{Name: "hello", Kind: kind, Path: rel, GOOS: goos, GOARCH: goarch, Variant: variant, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(content))})
	}
	for _, tg := range targets {
		slug := tg[0] + "_" + tg[1]
		if tg[2] != "" {
			slug += "_" + tg[2]
		}
		exe := ""
		if tg[0] == "windows" {
			exe = ".exe"
		}
		add(manifest.KindBinary, "hello_"+slug+"/hello"+exe, []byte("#!binary for "+slug+" "+p.Version+"\n"+string(bytes.Repeat([]byte(slug), 2000))), tg[0], tg[1], tg[2])
		add(manifest.KindArchive, "hello_"+p.Version+"_"+slug+".tar.gz", []byte("archive "+slug), tg[0], tg[1], tg[2])
	}
	sums := []byte("checksums of " + p.Version + "\n")
	sum := sha256.Sum256(sums)
	if err := os.WriteFile(filepath.Join(dir, "hello_"+p.Version+"_checksums.txt"), sums, 0o644); err != nil {
		t.Fatal(err)
	}
	m.Add(manifest.Artifact{Name: "hello", Kind: manifest.KindChecksums, Path: "hello_" + p.Version + "_checksums.txt", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(sums))})
	if err := manifest.Save(filepath.Join(dir, manifest.FileName), m); err != nil {
		t.Fatal(err)
	}
	return m
}

var (
	amd64 = [3]string{"linux", "amd64", ""}
	arm64 = [3]string{"linux", "arm64", ""}
	armv7 = [3]string{"linux", "arm", "7"}
	riscv = [3]string{"linux", "riscv64", ""}
	win   = [3]string{"windows", "amd64", ""}
)

func loadManifest(t *testing.T, dist string) *manifest.Manifest {
	t.Helper()
	m, err := manifest.Load(filepath.Join(dist, manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func fileSHA256(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
