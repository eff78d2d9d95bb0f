package metadata

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// commands are the five binaries the Dockerfile puts in /usr/local/bin.
var commands = []string{"build-matrix", "verify-mod", "sign", "publish", "scan"}

// TestDockerfileRules checks what the Dockerfile must keep: a base pinned by
// digest, the reproducible flags, jsonv2 for scan, no USER or WORKDIR, and
// labels from build args.
func TestDockerfileRules(t *testing.T) {
	t.Parallel()
	df := string(testutil.ReadFile(t, filepath.Join(testutil.RepoRoot(t), "Dockerfile")))
	if err := dockerfileRules(df); err != nil {
		t.Errorf("Dockerfile: %v", err)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"base by tag", "static-debian12@sha256:", "static-debian12:latest#", "BASE_IMAGE is not pinned by digest"},
		{"user", "CMD [", "USER 65532\nCMD [", "USER"},
		{"workdir", "CMD [", "WORKDIR /w\nCMD [", "WORKDIR"},
		{"trimpath", "-trimpath", "", "-trimpath"},
		{"buildid", `-buildid=" -o /out/scan`, `" -o /out/scan`, `-s -w -buildid=`},
		{"jsonv2", "GOEXPERIMENT=jsonv2 ", "", "GOEXPERIMENT=jsonv2"},
		{"cgo", "CGO_ENABLED=0", "CGO_ENABLED=1", "CGO_ENABLED=0"},
		{"label", `version="${VERSION}"`, `version="1.0"`, "org.opencontainers.image.version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(df, tc.from) {
				t.Fatalf("Dockerfile lacks %q", tc.from)
			}
			err := dockerfileRules(strings.ReplaceAll(df, tc.from, tc.to))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

func dockerfileRules(df string) error {
	var problems []string
	if !regexp.MustCompile(`(?m)^ARG BASE_IMAGE=\S+@sha256:[0-9a-f]{64}$`).MatchString(df) {
		problems = append(problems, "BASE_IMAGE is not pinned by digest")
	}
	if m := regexp.MustCompile(`(?m)^\s*(USER|WORKDIR)\b`).FindString(df); m != "" {
		problems = append(problems, "has "+strings.TrimSpace(m)+" (GitHub runs container actions as root in the workspace)")
	}
	builds := regexp.MustCompile(`go build [^;]*`).FindAllString(df, -1)
	if len(builds) < 2 {
		problems = append(problems, "fewer than two go build commands (the root module and cmd/scan)")
	}
	for _, b := range builds {
		if !strings.Contains(b, "-trimpath") || !strings.Contains(b, `-ldflags "-s -w -buildid="`) {
			problems = append(problems, "a go build lacks -trimpath or -ldflags \"-s -w -buildid=\": "+b)
		}
	}
	if !regexp.MustCompile(`GOEXPERIMENT=jsonv2 go build -C /src/cmd/scan`).MatchString(df) {
		problems = append(problems, "cmd/scan is not built with GOEXPERIMENT=jsonv2")
	}
	if !strings.Contains(df, "ENV CGO_ENABLED=0") {
		problems = append(problems, "cgo is not off (ENV CGO_ENABLED=0)")
	}
	for _, l := range []string{"version", "revision", "created", "source"} {
		if !regexp.MustCompile(`org\.opencontainers\.image\.` + l + `="\$\{[A-Z]+\}"`).MatchString(df) {
			problems = append(problems, "label org.opencontainers.image."+l+" does not come from a build arg")
		}
	}
	if len(problems) > 0 {
		return &dockerfileError{problems}
	}
	return nil
}

type dockerfileError struct{ problems []string }

func (e *dockerfileError) Error() string { return strings.Join(e.problems, "; ") }

// TestDockerfileBuildah builds the Dockerfile with Debian's buildah (vfs
// storage, chroot isolation) offline: the base is an image the test builds
// and pushes to a registry on 127.0.0.1 and names by digest, as the real
// FROM does; the binaries come in through BINARIES=prebuilt (built here with
// the Dockerfile's flags), since no Go builder image can be pulled. It then
// reads the image back from an OCI layout: the base's layer is there, the five
// binaries are byte-identical in /usr/local/bin, the labels carry the build
// args, and the config has no User and no WorkingDir.
func TestDockerfileBuildah(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds an image with buildah; skipped with -short")
	}
	buildah := testutil.DebianTool(t, "buildah", "buildah")
	if os.Geteuid() != 0 {
		t.Skip("buildah with --isolation chroot and vfs storage needs root here")
	}
	root := testutil.RepoRoot(t)
	tmp := t.TempDir()
	store := []string{"--root", filepath.Join(tmp, "store"), "--runroot", filepath.Join(tmp, "run"), "--storage-driver", "vfs"}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(buildah, append(append([]string{}, store...), args...)...)
		cmd.Env = append(os.Environ(), "BUILDAH_ISOLATION=chroot", "REGISTRIES_CONFIG_PATH="+filepath.Join(tmp, "registries.conf"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("buildah %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if err := os.WriteFile(filepath.Join(tmp, "registries.conf"), []byte("unqualified-search-registries = []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // vfs layers are plain directories, some read-only
		_ = exec.Command(buildah, append(append([]string{}, store...), "rm", "--all")...).Run()
	})

	// The base: a tiny image with a marker file, pushed by digest.
	reg := testutil.StartRegistry(t, testutil.RegistryOptions{})
	baseCtx := filepath.Join(tmp, "base")
	if err := os.MkdirAll(filepath.Join(baseCtx, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(baseCtx, "etc", "base-marker"), []byte("test base\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(baseCtx, "Dockerfile"), []byte("FROM scratch\nCOPY etc/base-marker /etc/base-marker\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run("bud", "--isolation", "chroot", "-t", "localhost/test-base:1", baseCtx)
	digestFile := filepath.Join(tmp, "base.digest")
	run("push", "--tls-verify=false", "--digestfile", digestFile, "localhost/test-base:1", "docker://"+reg.Host+"/base:1")
	baseRef := reg.Host + "/base@" + strings.TrimSpace(string(testutil.ReadFile(t, digestFile)))
	run("rmi", "localhost/test-base:1") // FROM must pull it from the registry

	// The context: the repository's Dockerfile and .dockerignore, and the
	// binaries built with the Dockerfile's own flags.
	ctx := filepath.Join(tmp, "ctx")
	for _, f := range []string{"Dockerfile", ".dockerignore"} {
		if err := os.MkdirAll(ctx, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ctx, f), testutil.ReadFile(t, filepath.Join(root, f)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pre := filepath.Join(ctx, "prebuilt")
	for _, c := range commands {
		dir, pkg, env := root, "./cmd/"+c, []string{"CGO_ENABLED=0"}
		if c == "scan" {
			dir, pkg, env = filepath.Join(root, "cmd", "scan"), ".", append(env, "GOEXPERIMENT=jsonv2")
		}
		cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags", "-s -w -buildid=", "-o", filepath.Join(pre, c), pkg)
		cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", c, err, out)
		}
	}

	run("bud", "--isolation", "chroot", "--tls-verify=false", "--pull-always",
		"--build-arg", "BINARIES=prebuilt", "--build-arg", "BASE_IMAGE="+baseRef,
		"--build-arg", "VERSION=1.2.3", "--build-arg", "REVISION=0123456789abcdef0123456789abcdef01234567",
		"--build-arg", "CREATED=2026-11-20T10:00:00Z",
		"-t", "localhost/slipway:test", ctx)
	layout := filepath.Join(tmp, "oci")
	run("push", "localhost/slipway:test", "oci:"+layout+":test")

	cfg, files := readLayout(t, layout)
	wantLabels := map[string]string{
		"org.opencontainers.image.title":    "slipway",
		"org.opencontainers.image.version":  "1.2.3",
		"org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567",
		"org.opencontainers.image.created":  "2026-11-20T10:00:00Z",
		"org.opencontainers.image.source":   "https://github.com/slipway-dev/slipway",
	}
	got := map[string]string{}
	for k := range wantLabels {
		got[k] = cfg.Config.Labels[k]
	}
	if d := cmp.Diff(wantLabels, got); d != "" {
		t.Errorf("labels (-want +got):\n%s", d)
	}
	if cfg.Config.User != "" || cfg.Config.WorkingDir != "" {
		t.Errorf("config has User %q, WorkingDir %q; want neither", cfg.Config.User, cfg.Config.WorkingDir)
	}
	if string(files["etc/base-marker"]) != "test base\n" {
		t.Errorf("the base image's layer is missing: /etc/base-marker = %q", files["etc/base-marker"])
	}
	for _, c := range commands {
		want := testutil.ReadFile(t, filepath.Join(pre, c))
		if b, ok := files["usr/local/bin/"+c]; !ok || !bytes.Equal(b, want) {
			t.Errorf("/usr/local/bin/%s is missing or differs from the binary built (%d bytes, want %d)", c, len(b), len(want))
		}
	}
}

type imageConfig struct {
	Config struct {
		User       string
		WorkingDir string
		Labels     map[string]string
	} `json:"config"`
}

// readLayout reads the one image of an OCI layout: its config and the
// regular files of all its layers, by path.
func readLayout(t *testing.T, dir string) (imageConfig, map[string][]byte) {
	t.Helper()
	blob := func(digest string) []byte {
		return testutil.ReadFile(t, filepath.Join(dir, "blobs", strings.Replace(digest, ":", string(filepath.Separator), 1)))
	}
	var index struct{ Manifests []struct{ Digest string } }
	if err := json.Unmarshal(testutil.ReadFile(t, filepath.Join(dir, "index.json")), &index); err != nil || len(index.Manifests) != 1 {
		t.Fatalf("index.json: %v (%d manifests)", err, len(index.Manifests))
	}
	var m struct {
		Config struct{ Digest string }
		Layers []struct{ MediaType, Digest string }
	}
	if err := json.Unmarshal(blob(index.Manifests[0].Digest), &m); err != nil {
		t.Fatal(err)
	}
	var cfg imageConfig
	if err := json.Unmarshal(blob(m.Config.Digest), &cfg); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, l := range m.Layers {
		var r io.Reader = bytes.NewReader(blob(l.Digest))
		if strings.HasSuffix(l.MediaType, "gzip") {
			zr, err := gzip.NewReader(r)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		tr := tar.NewReader(r)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.Typeflag == tar.TypeReg {
				b, err := io.ReadAll(tr)
				if err != nil {
					t.Fatal(err)
				}
				files[path.Clean(strings.TrimPrefix(h.Name, "./"))] = b
			}
		}
	}
	return cfg, files
}
