package publish

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slipway-dev/slipway/internal/testutil"
)

func runTool(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "DOCKER_CONFIG="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

// extractFile returns the sha256 of path inside a flattened image tar.
func extractFile(t *testing.T, r io.Reader, path string) (string, *tar.Header) {
	t.Helper()
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			t.Fatalf("%s not in the image", path)
		}
		if err != nil {
			t.Fatal(err)
		}
		if "/"+strings.TrimPrefix(h.Name, "/") == path {
			s := sha256.New()
			if _, err := io.Copy(s, tr); err != nil {
				t.Fatal(err)
			}
			return hex.EncodeToString(s.Sum(nil)), h
		}
	}
}

// imageFile returns the sha256 and tar header of path in the image ref,
// read with `crane export` (the flattened file system).
func imageFile(t *testing.T, crane, ref, path string) (string, *tar.Header) {
	t.Helper()
	cmd := exec.Command(crane, "export", ref, "-")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sum, hdr := extractFile(t, stdout, path)
	_, _ = io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	return sum, hdr
}

// TestPushInterop pushes four platform images to a real distribution
// registry and reads them with crane (always), regctl (tools module) and
// skopeo (Debian, when installed): platforms, config, entrypoint, labels,
// and the binary inside each image is the one built for that platform. A
// second push of the same dist uploads no blob.
func TestPushInterop(t *testing.T) {
	t.Parallel()
	crane := testutil.Tool(t, "crane")
	reg := testutil.StartRegistry(t, testutil.RegistryOptions{})
	ws := t.TempDir()
	m := writeDist(t, ws, "dist", fixtureProject("1.2.3", "refs/tags/v1.2.3"), amd64, arm64, armv7, riscv)
	repo := reg.Host + "/slipway/hello"
	args := []string{"--repository", repo, "--base", "scratch", "--labels", "com.example.team=release", "--ports", "8080", "--env", "MODE=prod", "--tags", "stable"}
	r := runCLI(t, ws, nil, nil, args...)
	r.mustCode(t, 0)

	// Tags: semver strategy plus the tags input.
	tags := strings.Fields(runTool(t, crane, "ls", repo))
	slices.Sort(tags)
	if d := cmp.Diff([]string{"1", "1.2", "1.2.3", "latest", "sha-0123456", "stable"}, tags); d != "" {
		t.Errorf("tags (-want +got):\n%s", d)
	}
	digest := strings.TrimSpace(runTool(t, crane, "digest", repo+":1.2.3"))
	var idx struct {
		MediaType string
		Manifests []struct {
			Digest   string
			Platform struct{ OS, Architecture, Variant string }
		}
		Annotations map[string]string
	}
	if err := json.Unmarshal([]byte(runTool(t, crane, "manifest", repo+":latest")), &idx); err != nil {
		t.Fatal(err)
	}
	if idx.MediaType != "application/vnd.oci.image.index.v1+json" {
		t.Errorf("index media type %s", idx.MediaType)
	}
	var plats []string
	for _, d := range idx.Manifests {
		p := d.Platform.OS + "/" + d.Platform.Architecture
		if d.Platform.Variant != "" {
			p += "/" + d.Platform.Variant
		}
		plats = append(plats, p)
	}
	if d := cmp.Diff([]string{"linux/amd64", "linux/arm/v7", "linux/arm64", "linux/riscv64"}, plats); d != "" {
		t.Errorf("platforms (-want +got):\n%s", d)
	}
	if idx.Annotations["org.opencontainers.image.created"] != "2026-11-20T10:00:00Z" || idx.Annotations["org.opencontainers.image.revision"] != m.Project.Commit ||
		idx.Annotations["org.opencontainers.image.source"] != "https://github.com/slipway-dev/hello" {
		t.Errorf("index annotations: %v", idx.Annotations)
	}

	out := loadManifest(t, filepath.Join(ws, "dist"))
	recs, err := ReadImages(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("%d image records", len(recs))
	}
	for _, rec := range recs {
		ref := repo + "@" + rec.Digest
		var cfg struct {
			Architecture, OS, Variant string
			Created                   string
			Config                    struct {
				Entrypoint   []string
				User         string
				Env          []string
				Labels       map[string]string
				ExposedPorts map[string]struct{}
			}
		}
		if err := json.Unmarshal([]byte(runTool(t, crane, "config", ref)), &cfg); err != nil {
			t.Fatal(err)
		}
		if cfg.OS+"/"+cfg.Architecture+strings.TrimSuffix("/"+cfg.Variant, "/") != rec.Platform {
			t.Errorf("%s: config platform %s/%s/%s", rec.Platform, cfg.OS, cfg.Architecture, cfg.Variant)
		}
		if d := cmp.Diff([]string{"/usr/local/bin/hello"}, cfg.Config.Entrypoint); d != "" {
			t.Errorf("%s entrypoint: %s", rec.Platform, d)
		}
		if cfg.Config.User != "65532:65532" || cfg.Created != "2026-11-20T10:00:00Z" || cfg.Config.Labels["com.example.team"] != "release" ||
			cfg.Config.Labels["org.opencontainers.image.version"] != "1.2.3" || !slices.Contains(cfg.Config.Env, "MODE=prod") {
			t.Errorf("%s config: %+v", rec.Platform, cfg)
		}
		if _, ok := cfg.Config.ExposedPorts["8080/tcp"]; !ok {
			t.Errorf("%s: ports %v", rec.Platform, cfg.Config.ExposedPorts)
		}
		// The binary in the image is the one built for this platform.
		sum, hdr := imageFile(t, crane, ref, "/usr/local/bin/hello")
		if want := fileSHA256(t, filepath.Join(ws, "dist", filepath.FromSlash(rec.Binary))); sum != want || sum != rec.BinarySHA256 {
			t.Errorf("%s: binary in image %s, built %s", rec.Platform, sum, want)
		}
		if hdr.Uid != 65532 || hdr.Gid != 65532 || hdr.Mode&0o777 != 0o755 || !hdr.ModTime.Equal(m.Project.CommitTime) {
			t.Errorf("%s: binary entry uid %d gid %d mode %o mtime %s", rec.Platform, hdr.Uid, hdr.Gid, hdr.Mode, hdr.ModTime)
		}
	}
	// regctl agrees on the platforms and the digest.
	regctl := testutil.Tool(t, "regctl")
	cfgDir := t.TempDir()
	rc := func(args ...string) string {
		cmd := exec.Command(regctl, args...)
		cmd.Env = append(os.Environ(), "HOME="+cfgDir)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("regctl %v: %v\n%s", args, err, b)
		}
		return string(b)
	}
	rc("registry", "set", "--tls", "disabled", reg.Host)
	if got := strings.TrimSpace(rc("image", "digest", repo+":1.2")); got != digest {
		t.Errorf("regctl digest %s, crane %s", got, digest)
	}
	if got := rc("manifest", "get", repo+":1.2", "--format", "{{range .Manifests}}{{.Platform.OS}}/{{.Platform.Architecture}} {{end}}"); strings.TrimSpace(got) != "linux/amd64 linux/arm linux/arm64 linux/riscv64" {
		t.Errorf("regctl platforms: %q", got)
	}

	// A second publish of the same binaries uploads nothing.
	r2 := runCLI(t, ws, nil, nil, args...)
	r2.mustCode(t, 0)
	if !strings.Contains(r2.stderr, "pushed: 0 blobs uploaded") {
		t.Errorf("second push uploaded blobs:\n%s", r2.stderr)
	}
	if !strings.Contains(r2.stdout, "digest="+digest) {
		t.Errorf("second push gave another digest than %s:\n%s", digest, r2.stdout)
	}

	// skopeo (Debian) reads it too, when installed.
	skopeo := testutil.DebianTool(t, "skopeo", "skopeo")
	raw := runTool(t, skopeo, "inspect", "--tls-verify=false", "--raw", "docker://"+repo+":1.2.3")
	sum := sha256.Sum256([]byte(raw))
	if "sha256:"+hex.EncodeToString(sum[:]) != digest {
		t.Errorf("skopeo's raw index does not hash to %s", digest)
	}
}
