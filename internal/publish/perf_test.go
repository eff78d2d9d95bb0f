package publish

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// countingTransport counts the requests publish sends to the registry, by
// method and kind of path. It forwards every request unchanged.
type countingTransport struct {
	inner http.RoundTripper
	mu    sync.Mutex
	n     map[string]int
}

func newCountingTransport() *countingTransport {
	return &countingTransport{inner: http.DefaultTransport.(*http.Transport).Clone(), n: map[string]int{}}
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	kind := "other"
	p := r.URL.Path
	switch {
	case p == "/v2/" || p == "/v2":
		kind = "ping"
	case strings.Contains(p, "/blobs/"):
		kind = "blob"
	case strings.Contains(p, "/manifests/"):
		kind = "manifest"
	case strings.HasSuffix(p, "/tags/list"):
		kind = "tags"
	}
	resp, err := c.inner.RoundTrip(r)
	if err != nil {
		// The https attempt of a ping to a plain-http registry on loopback,
		// before go-containerregistry falls back to http.
		kind = "failed " + kind
	}
	c.mu.Lock()
	c.n[r.Method+" "+kind]++
	c.mu.Unlock()
	return resp, err
}

// take returns the counts so far and starts again from zero.
func (c *countingTransport) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = map[string]int{}
	return n
}

// writes counts the requests that change the registry.
func writes(n map[string]int) int {
	w := 0
	for k, v := range n {
		if !strings.HasPrefix(k, "GET ") && !strings.HasPrefix(k, "HEAD ") {
			w += v
		}
	}
	return w
}

// TestRepublishRequests checks what publish asks of the registry: the
// registry is pinged (and authenticated against) once per repository and
// scope, not once per call; a second publish of the same binaries writes
// nothing and reads each manifest and tag back with one HEAD; and a tag that
// points at another index is moved and read back.
func TestRepublishRequests(t *testing.T) {
	t.Parallel()
	reg := testutil.StartRegistry(t, testutil.RegistryOptions{})
	repo := reg.Host + "/requests/hello"
	ws := t.TempDir()
	writeDist(t, ws, "dist", fixtureProject("1.0.0", "refs/tags/v1.0.0"), amd64, arm64)
	ct := newCountingTransport()
	args := []string{"--repository", repo, "--base", "scratch", "--tags", "edge"}

	first := runCLI(t, ws, ct, nil, args...)
	first.mustCode(t, 0)
	n := ct.take()
	// Pull scope (tag listing, read-backs) and push scope: one ping each.
	if n["GET ping"] != 2 {
		t.Errorf("first publish pinged the registry %d times, want 2 (one per scope): %v", n["GET ping"], n)
	}
	// Two images of a layer and a config each; nothing is uploaded twice.
	if n["PUT blob"] != 4 {
		t.Errorf("first publish committed %d blob uploads, want 4: %v", n["PUT blob"], n)
	}
	// Two images, the index and six tags (1.0.0, 1.0, 1, latest, sha-…, edge).
	if n["PUT manifest"] != 9 {
		t.Errorf("first publish wrote %d manifests, want 9: %v", n["PUT manifest"], n)
	}

	second := runCLI(t, ws, ct, nil, args...)
	second.mustCode(t, 0)
	n = ct.take()
	want := map[string]int{
		"GET failed ping": 1, // https first, then http
		"GET ping":        1, // the pull scope only: nothing is written
		"GET tags":        1, // the semver tags need the versions already there
		"HEAD manifest":   2 + 1 + 6,
	}
	if d := cmp.Diff(want, n); d != "" {
		t.Errorf("second publish of the same binaries (-want +got):\n%s", d)
	}
	if writes(n) != 0 || !strings.Contains(second.stderr, "pushed: 0 blobs uploaded") {
		t.Errorf("second publish wrote to the registry: %v\n%s", n, second.stderr)
	}

	// A new version moves latest and edge to its index and leaves 1.0.0 where
	// it was; every tag it writes is read back.
	oldDigest := outputDigest(t, second.stdout)
	ws2 := t.TempDir()
	p := fixtureProject("1.0.1", "refs/tags/v1.0.1")
	p.Commit = "fedcba9876543210fedcba9876543210fedcba98"
	writeDist(t, ws2, "dist", p, amd64, arm64)
	third := runCLI(t, ws2, ct, nil, args...)
	third.mustCode(t, 0)
	n = ct.take()
	newDigest := outputDigest(t, third.stdout)
	if newDigest == oldDigest {
		t.Fatalf("version 1.0.1 gave the index of 1.0.0: %s", newDigest)
	}
	for tag, want := range map[string]string{
		"edge": newDigest, "latest": newDigest, "1": newDigest, "1.0": newDigest, "1.0.1": newDigest,
		"1.0.0": oldDigest, "sha-0123456": oldDigest, "sha-fedcba9": newDigest,
	} {
		d, err := remote.Head(mustRef(t, repo+":"+tag))
		if err != nil {
			t.Fatalf("tag %s: %v", tag, err)
		}
		if d.Digest.String() != want {
			t.Errorf("tag %s points at %s, want %s", tag, d.Digest, want)
		}
	}
	// Six tags written (1.0.1, 1.0, 1, latest, sha-…, edge), each HEAD before
	// (it points elsewhere or nowhere) and after (the read-back).
	if got := n["PUT manifest"]; got != 2+1+6 {
		t.Errorf("third publish wrote %d manifests, want 9: %v", got, n)
	}
	if got := n["HEAD manifest"]; got != 2*(2+1+6) {
		t.Errorf("third publish sent %d manifest HEADs, want %d (one before and one after each write): %v", got, 2*(2+1+6), n)
	}
}

// outputDigest is the digest output of a CLI run.
func outputDigest(t *testing.T, stdout string) string {
	t.Helper()
	for _, line := range strings.Split(stdout, "\n") {
		if d, ok := strings.CutPrefix(line, "digest="); ok {
			return d
		}
	}
	t.Fatalf("no digest output in:\n%s", stdout)
	return ""
}

// TestLayerCompressedOnce checks that the binary layer, now compressed once
// and kept in memory, is byte for byte the gzip stream go-containerregistry's
// tarball layers produce from the same tar, so image digests did not change
// with the way the layer is built.
func TestLayerCompressedOnce(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	writeDist(t, ws, "dist", fixtureProject("1.0.0", "refs/tags/v1.0.0"), amd64, arm64)
	runCLI(t, ws, nil, nil, "--mode", "build", "--base", "scratch").mustCode(t, 0)
	recs, err := ReadImages(loadManifest(t, filepath.Join(ws, "dist")))
	if err != nil || len(recs) != 2 {
		t.Fatalf("images section: %v, %v", recs, err)
	}
	for _, rec := range recs {
		hex, _ := strings.CutPrefix(rec.Layer, "sha256:")
		blob, err := os.ReadFile(filepath.Join(ws, "dist", "oci", "blobs", "sha256", hex))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(blob))
		if err != nil {
			t.Fatal(err)
		}
		tb, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(tb)), nil }, tarball.WithMediaType(types.OCILayer))
		if err != nil {
			t.Fatal(err)
		}
		want, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		if rec.Layer != want.String() {
			t.Errorf("%s: layer %s, go-containerregistry compresses the same tar to %s", rec.Platform, rec.Layer, want)
		}
	}
}
