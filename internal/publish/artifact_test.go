package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestArtifactPush pushes the release files as an OCI artifact to a real
// registry and reads it back with crane: the artifact type, the empty config,
// one layer per file titled with its dist path and typed by its kind, and
// each layer's bytes equal to the file.
func TestArtifactPush(t *testing.T) {
	t.Parallel()
	crane := testutil.Tool(t, "crane")
	reg := testutil.StartRegistry(t, testutil.RegistryOptions{})
	ws := t.TempDir()
	m := writeDist(t, ws, "dist", fixtureProject("1.2.3", "refs/tags/v1.2.3"), amd64, arm64)
	repo := reg.Host + "/slipway/hello-release"
	r := runCLI(t, ws, nil, nil, "--mode", "push", "--repository", reg.Host+"/slipway/hello", "--base", "scratch", "--artifacts-repository", repo)
	r.mustCode(t, 0)

	var am struct {
		MediaType, ArtifactType string
		Config                  struct{ MediaType string }
		Layers                  []struct {
			MediaType, Digest string
			Size              int64
			Annotations       map[string]string
		}
	}
	if err := json.Unmarshal([]byte(runTool(t, crane, "manifest", repo+":1.2.3")), &am); err != nil {
		t.Fatal(err)
	}
	if am.MediaType != "application/vnd.oci.image.manifest.v1+json" || am.ArtifactType != "application/vnd.slipway.release.v1" || am.Config.MediaType != "application/vnd.oci.empty.v1+json" {
		t.Errorf("artifact manifest: mediaType %q artifactType %q config %q", am.MediaType, am.ArtifactType, am.Config.MediaType)
	}
	var titles, want []string
	for _, a := range m.Artifacts {
		want = append(want, a.Path)
	}
	byPath := map[string]manifest.Artifact{}
	for _, a := range m.Artifacts {
		byPath[a.Path] = a
	}
	for _, l := range am.Layers {
		title := l.Annotations["org.opencontainers.image.title"]
		titles = append(titles, title)
		a, ok := byPath[title]
		if !ok {
			t.Errorf("layer %s has title %q, not a file of dist", l.Digest, title)
			continue
		}
		if l.Digest != "sha256:"+a.SHA256 || l.Size != a.Size {
			t.Errorf("%s: layer %s (%d bytes), file sha256:%s (%d bytes)", title, l.Digest, l.Size, a.SHA256, a.Size)
		}
		wantType := map[manifest.Kind]string{manifest.KindBinary: "application/vnd.slipway.binary.v1", manifest.KindArchive: "application/vnd.slipway.archive.v1.tar+gzip", manifest.KindChecksums: "application/vnd.slipway.checksums.v1+text"}[a.Kind]
		if l.MediaType != wantType {
			t.Errorf("%s: media type %q, want %q for a %s", title, l.MediaType, wantType, a.Kind)
		}
		out, err := exec.Command(crane, "blob", repo+"@"+l.Digest).Output()
		if err != nil {
			t.Fatalf("crane blob %s: %v", l.Digest, err)
		}
		if sum := sha256.Sum256(out); hex.EncodeToString(sum[:]) != a.SHA256 {
			t.Errorf("%s: the pushed bytes differ from the file", title)
		}
	}
	slices.Sort(titles)
	slices.Sort(want)
	if d := cmp.Diff(want, titles); d != "" {
		t.Errorf("artifact layers (-dist +pushed):\n%s", d)
	}
	out := loadManifest(t, filepath.Join(ws, "dist"))
	if !strings.Contains(string(out.Published), `"kind":"artifact"`) {
		t.Errorf("the manifest's published section does not record the artifact: %s", out.Published)
	}
}
