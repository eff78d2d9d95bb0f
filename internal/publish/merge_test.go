package publish

import (
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/oci"
)

// TestPushByDigestAndMerge runs two runners' push-by-digest and the fan-in
// merge against a registry: the merged index holds both platforms, equals
// what a single push gives, is tagged only by merge, and merge writes the
// merged OCI layout from the shards' layouts. A missing platform digest is a
// usage error naming the digest, and moves no tag.
func TestPushByDigestAndMerge(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	repo := host + "/team/hello"
	ws := t.TempDir()
	p := fixtureProject("2.0.0", "refs/tags/v2.0.0")
	writeDist(t, ws, "shard-amd64", p, amd64)
	writeDist(t, ws, "shard-arm64", p, arm64)
	for _, s := range []string{"shard-amd64", "shard-arm64"} {
		r := runCLI(t, ws, nil, nil, "--mode", "push-by-digest", "--dist", s, "--repository", repo, "--base", "scratch")
		r.mustCode(t, 0)
		if strings.Contains(r.stdout, "tags=[\"") {
			t.Errorf("push-by-digest pushed tags:\n%s", r.stdout)
		}
	}
	if tags, _ := remote.List(mustRepo(t, repo)); len(tags) != 0 {
		t.Fatalf("tags before merge: %v", tags)
	}
	r := runCLI(t, ws, nil, nil, "--mode", "merge", "--inputs", "shard-*", "--repository", repo, "--dist", "dist")
	r.mustCode(t, 0)
	m := loadManifest(t, filepath.Join(ws, "dist"))
	var ir IndexRecord
	if err := json.Unmarshal(m.Index, &ir); err != nil {
		t.Fatal(err)
	}
	if strings.Join(ir.Platforms, ",") != "linux/amd64,linux/arm64" || ir.Layout != "oci" {
		t.Errorf("index record %+v\n%s", ir, r.stderr)
	}
	d, err := remote.Head(mustRef(t, repo+":2.0.0"))
	if err != nil || d.Digest.String() != ir.Digest {
		t.Fatalf("tag 2.0.0: %v %v, want %s", d, err, ir.Digest)
	}
	lx, err := oci.LayoutIndex(filepath.Join(ws, "dist", "oci"))
	if err != nil || lx.Digest != ir.Digest {
		t.Fatalf("merged layout index %v %v, want %s", lx, err, ir.Digest)
	}

	// One push of both platforms gives the very same index.
	writeDist(t, ws, "together", p, amd64, arm64)
	one := runCLI(t, ws, nil, nil, "--mode", "build", "--dist", "together", "--base", "scratch")
	one.mustCode(t, 0)
	if !strings.Contains(one.stdout, "digest="+ir.Digest) {
		t.Errorf("a single build gives another index than merge (%s):\n%s", ir.Digest, one.stdout)
	}

	// A shard whose images never reached the registry.
	writeDist(t, ws, "shard-riscv", p, riscv)
	lost := runCLI(t, ws, nil, nil, "--mode", "push-by-digest", "--dist", "shard-riscv", "--repository", host+"/elsewhere/hello", "--base", "scratch")
	lost.mustCode(t, 0)
	bad := runCLI(t, ws, nil, nil, "--mode", "merge", "--inputs", "shard-*", "--repository", repo, "--dist", "dist2", "--tags", "moved")
	bad.mustCode(t, gha.ExitUsage)
	if !strings.Contains(bad.stderr, "linux/riscv64 image sha256:") || !strings.Contains(bad.stderr, `input "inputs"`) {
		t.Errorf("merge with a missing digest:\n%s", bad.stderr)
	}
	if _, err := remote.Head(mustRef(t, repo+":moved")); err == nil {
		t.Error("a failed merge moved a tag")
	}
	if _, err := os.Stat(filepath.Join(ws, "dist2", "manifest.json")); !os.IsNotExist(err) {
		t.Error("a failed merge wrote a manifest")
	}
}
