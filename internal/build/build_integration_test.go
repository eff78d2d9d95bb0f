package build

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// vcsEnv builds with version control stamping on, as GitHub runners do, so
// the tests cover it whatever this machine's go env says.
var vcsEnv = map[string]string{"GOFLAGS": "-buildvcs=true"}

var fourTargets = "linux/amd64,linux/arm64,darwin/arm64,windows/amd64"

// helloRepo makes a git repository of examples/hello tagged v1.2.3.
func helloRepo(t *testing.T, parent string) (dir, sha string) {
	t.Helper()
	dir = filepath.Join(parent, "hello")
	sha = testutil.GitRepo(t, filepath.Join("..", "..", "examples", "hello"), dir, "v1.2.3")
	return dir, sha
}

func TestBuildHello(t *testing.T) {
	if testing.Short() {
		t.Skip("builds examples/hello for four targets")
	}
	t.Parallel()
	repoA, sha := helloRepo(t, t.TempDir())
	r := runCLI(t, repoA, vcsEnv, "--targets", fourTargets, "--dist", "dist/full", "--output-format", "json")
	r.mustCode(t, 0)
	full := filepath.Join(repoA, "dist", "full")
	m := loadManifest(t, full)

	t.Run("outputs", func(t *testing.T) {
		var outs map[string]string
		if err := json.Unmarshal([]byte(r.stdout), &outs); err != nil {
			t.Fatalf("outputs are not one JSON object: %v\n%s", err, r.stdout)
		}
		want := map[string]string{"manifest": "dist/full/manifest.json", "checksums": "dist/full/hello_1.2.3_checksums.txt", "version": "1.2.3"}
		for k, v := range want {
			if outs[k] != v {
				t.Errorf("output %s = %q, want %q", k, outs[k], v)
			}
		}
		var arts []manifest.Artifact
		if err := json.Unmarshal([]byte(outs["artifacts"]), &arts); err != nil || len(arts) != 9 {
			t.Errorf("artifacts output: %d artifacts, err %v", len(arts), err)
		}
	})

	t.Run("manifest", func(t *testing.T) {
		if m.Project.Version != "1.2.3" || m.Project.Commit != sha || m.Project.Name != "hello" || m.Project.Module != "example.com/hello" || m.Project.Ref != "refs/tags/v1.2.3" {
			t.Errorf("project = %+v", m.Project)
		}
		if got := m.Project.CommitTime.Format("2006-01-02T15:04:05Z07:00"); got != testutil.CommitTime {
			t.Errorf("commit time %s, want %s", got, testutil.CommitTime)
		}
		var paths []string
		for _, a := range m.Artifacts {
			paths = append(paths, a.Path)
		}
		want := []string{
			"hello_1.2.3_checksums.txt",
			"hello_1.2.3_darwin_arm64.tar.gz", "hello_1.2.3_linux_amd64.tar.gz", "hello_1.2.3_linux_arm64.tar.gz", "hello_1.2.3_windows_amd64.zip",
			"hello_darwin_arm64/hello", "hello_linux_amd64/hello", "hello_linux_arm64/hello", "hello_windows_amd64/hello.exe",
		}
		if d := cmp.Diff(want, paths); d != "" {
			t.Errorf("artifact paths (-want +got):\n%s", d)
		}
		cmd := exec.Command("sha256sum", "--strict", "-c", "hello_1.2.3_checksums.txt")
		cmd.Dir = full
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c: %v\n%s", err, out)
		}
	})

	t.Run("binaries", func(t *testing.T) {
		goroot := strings.TrimSpace(goEnv(t, "GOROOT"))
		modcache := strings.TrimSpace(goEnv(t, "GOMODCACHE"))
		for _, a := range m.ByKind(manifest.KindBinary) {
			bin := filepath.Join(full, a.Path)
			out, err := exec.Command("go", "version", "-m", bin).CombinedOutput()
			if err != nil {
				t.Fatalf("go version -m %s: %v\n%s", a.Path, err, out)
			}
			info := string(out)
			for _, want := range []string{
				"\tbuild\tGOOS=" + a.GOOS + "\n", "\tbuild\tGOARCH=" + a.GOARCH + "\n", "\tbuild\t-trimpath=true\n",
				"\tbuild\tCGO_ENABLED=0\n", "\tbuild\tvcs.revision=" + sha + "\n", "\tbuild\tvcs.modified=false\n",
				"\tmod\texample.com/hello\tv1.2.3",
			} {
				if !strings.Contains(info, want) {
					t.Errorf("%s: build info lacks %q:\n%s", a.Path, want, info)
				}
			}
			body := readFile(t, bin)
			for _, p := range []string{repoA, goroot, modcache, os.TempDir() + "/"} {
				if p != "" && bytes.Contains(body, []byte(p)) {
					t.Errorf("%s contains the build machine path %s", a.Path, p)
				}
			}
		}
		// -trimpath keeps -ldflags out of the build info, so look for an
		// injected version that appears nowhere else in every binary.
		ri := runCLI(t, repoA, vcsEnv, "--targets", fourTargets, "--dist", "dist/injected", "--version", "v1.2.3-injected.7", "--archives", "none")
		ri.mustCode(t, 0)
		for _, a := range loadManifest(t, filepath.Join(repoA, "dist", "injected")).ByKind(manifest.KindBinary) {
			if !bytes.Contains(readFile(t, filepath.Join(repoA, "dist", "injected", a.Path)), []byte("1.2.3-injected.7")) {
				t.Errorf("%s: -X main.version was not injected", a.Path)
			}
		}
		if runtime.GOOS == "linux" && runtime.GOARCH == "amd64" {
			out, err := exec.Command(filepath.Join(full, "hello_linux_amd64", "hello"), "--version").Output()
			if err != nil {
				t.Fatal(err)
			}
			want := "hello 1.2.3 (commit " + sha + ", built 2026-11-20T10:00:00Z, linux/amd64)\n"
			if string(out) != want {
				t.Errorf("hello --version = %q, want %q", out, want)
			}
		}
	})

	t.Run("byte-identical in another directory", func(t *testing.T) {
		repoB := filepath.Join(t.TempDir(), "elsewhere", "hello-copy")
		testutil.Git(t, filepath.Dir(repoA), "clone", "-q", repoA, repoB)
		rb := runCLI(t, repoB, vcsEnv, "--targets", fourTargets, "--dist", "dist/full")
		rb.mustCode(t, 0)
		mb := loadManifest(t, filepath.Join(repoB, "dist", "full"))
		if d := cmp.Diff(m.Artifacts, mb.Artifacts); d != "" {
			t.Errorf("artifacts differ between %s and %s (-A +B):\n%s", repoA, repoB, d)
		}
		for _, a := range m.Artifacts {
			if !bytes.Equal(readFile(t, filepath.Join(full, a.Path)), readFile(t, filepath.Join(repoB, "dist", "full", a.Path))) {
				t.Errorf("%s differs", a.Path)
			}
		}
	})

	t.Run("merge of shards equals the full build", func(t *testing.T) {
		rp := runCLI(t, repoA, nil, "--mode", "plan", "--targets", fourTargets, "--shards", "2")
		rp.mustCode(t, 0)
		var plan Matrix
		if err := json.Unmarshal([]byte(strings.TrimPrefix(strings.TrimSpace(rp.stdout), "matrix=")), &plan); err != nil {
			t.Fatalf("plan output: %v\n%s", err, rp.stdout)
		}
		if len(plan.Include) != 2 {
			t.Fatalf("plan has %d shards, want 2", len(plan.Include))
		}
		for _, s := range plan.Include {
			// As download-artifact lays them out: one folder per artifact.
			rs := runCLI(t, repoA, vcsEnv, "--targets", fourTargets, "--shards", "2", "--shard", s.Name, "--dist", "dist/shards/slipway-dist-"+s.Name)
			rs.mustCode(t, 0)
		}
		rm := runCLI(t, repoA, nil, "--mode", "merge", "--inputs", "dist/shards", "--dist", "dist/merged")
		rm.mustCode(t, 0)
		merged := filepath.Join(repoA, "dist", "merged")
		if d := cmp.Diff(string(readFile(t, filepath.Join(full, "manifest.json"))), string(readFile(t, filepath.Join(merged, "manifest.json")))); d != "" {
			t.Errorf("merged manifest differs from the full build's (-full +merged):\n%s", d)
		}
		for _, a := range m.Artifacts {
			if !bytes.Equal(readFile(t, filepath.Join(full, a.Path)), readFile(t, filepath.Join(merged, a.Path))) {
				t.Errorf("%s differs between the merge and the full build", a.Path)
			}
		}

		// A file changed between the jobs is caught, and nothing is written.
		tampered := filepath.Join(repoA, "dist", "tampered")
		testutil.CopyDir(t, filepath.Join(repoA, "dist", "shards"), tampered)
		first, err := ParseTarget(strings.Split(plan.Include[1].Targets, ",")[0], testPorts(t))
		if err != nil {
			t.Fatal(err)
		}
		victim := filepath.Join(tampered, "slipway-dist-"+plan.Include[1].Name, "hello_"+first.Slug(), "hello"+first.Exe())
		b := readFile(t, victim)
		b[len(b)/2] ^= 0xff
		if err := os.WriteFile(victim, b, 0o755); err != nil {
			t.Fatal(err)
		}
		rt := runCLI(t, repoA, nil, "--mode", "merge", "--inputs", "dist/tampered/*", "--dist", "dist/merged-tampered")
		rt.mustCode(t, gha.ExitFindings)
		if !strings.Contains(rt.stderr, "hello_"+first.Slug()) || !strings.Contains(rt.stderr, "sha256") {
			t.Errorf("the error does not name the tampered file and digests:\n%s", rt.stderr)
		}
		if _, err := os.Stat(filepath.Join(repoA, "dist", "merged-tampered", "manifest.json")); !os.IsNotExist(err) {
			t.Error("a manifest was written from a tampered shard")
		}
	})

	t.Run("size budget", func(t *testing.T) {
		prev := *m
		prev.Artifacts = nil
		for _, a := range m.Artifacts {
			if a.GOOS == "linux" && a.GOARCH == "amd64" && a.Kind == manifest.KindBinary {
				a.Size = a.Size * 100 / 130 // this build is 30% larger
			}
			prev.Artifacts = append(prev.Artifacts, a)
		}
		prevPath := filepath.Join(repoA, "dist", "previous.json")
		if err := manifest.Save(prevPath, &prev); err != nil {
			t.Fatal(err)
		}
		rs := runCLI(t, repoA, vcsEnv, "--targets", "linux/amd64,darwin/arm64", "--dist", "dist/budget", "--previous-manifest", "dist/previous.json")
		rs.mustCode(t, gha.ExitFindings)
		if !strings.Contains(rs.stderr, "hello linux/amd64 grew") || !strings.Contains(rs.stderr, "(+30.0%), over the 15% size budget") {
			t.Errorf("budget message:\n%s", rs.stderr)
		}
		rw := runCLI(t, repoA, vcsEnv, "--targets", "linux/amd64", "--dist", "dist/budget", "--previous-manifest", "dist/previous.json", "--size-budget-warn-only")
		rw.mustCode(t, 0)
		if !strings.Contains(rw.stderr, "warning:") || !strings.Contains(rw.stderr, "+30.0% ⚠") {
			t.Errorf("warn-only budget:\n%s", rw.stderr)
		}
		rok := runCLI(t, repoA, vcsEnv, "--targets", "linux/amd64", "--dist", "dist/budget", "--previous-manifest", "dist/previous.json", "--size-budget", "40")
		rok.mustCode(t, 0)
	})
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
