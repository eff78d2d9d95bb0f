package oci

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

var commitTime = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func writeBin(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hello")
	if err := os.WriteFile(p, []byte(content), 0o700); err != nil {
		t.Fatal(err)
	}
	return p
}

func spec(p Platform, bin string, mtime time.Time) ImageSpec {
	return ImageSpec{
		Platform: p, Files: []LayerFile{{Path: "/usr/local/bin/hello", Source: bin, Mode: 0o755}},
		Layer:  LayerOptions{ModTime: mtime, UID: DefaultUID, GID: DefaultGID},
		Config: ImageConfig{Entrypoint: []string{"/usr/local/bin/hello"}, Created: mtime, Labels: map[string]string{"a": "b"}},
	}
}

// TestLayerDeterministic: the same files and options give the same layer
// bytes wherever they are built; the entries carry the fixed owner, mode and
// mtime; changing the mtime changes the digest.
func TestLayerDeterministic(t *testing.T) {
	t.Parallel()
	a, b := writeBin(t, "same binary"), writeBin(t, "same binary")
	opts := LayerOptions{ModTime: commitTime, UID: DefaultUID, GID: DefaultGID}
	ta, err := layerTar([]LayerFile{{Path: "/usr/local/bin/hello", Source: a}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	tb, _ := layerTar([]LayerFile{{Path: "/usr/local/bin/hello", Source: b}}, opts)
	if !bytes.Equal(ta, tb) {
		t.Error("the same file at two paths gives two layers")
	}
	tr := tar.NewReader(bytes.NewReader(ta))
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if !h.ModTime.Equal(commitTime) || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: mtime %s uname %q", h.Name, h.ModTime, h.Uname)
		}
		if h.Typeflag == tar.TypeReg && (h.Uid != 65532 || h.Gid != 65532 || h.Mode != 0o755) {
			t.Errorf("%s: uid %d gid %d mode %o", h.Name, h.Uid, h.Gid, h.Mode)
		}
		if h.Typeflag == tar.TypeDir && (h.Uid != 0 || h.Mode != 0o755) {
			t.Errorf("%s: dir uid %d mode %o", h.Name, h.Uid, h.Mode)
		}
	}
	if got := strings.Join(names, " "); got != "usr/ usr/local/ usr/local/bin/ usr/local/bin/hello" {
		t.Errorf("entries %s", got)
	}
	i1, err := BuildImage(&Base{Ref: Scratch}, spec(Platform{OS: "linux", Architecture: "amd64"}, a, commitTime))
	if err != nil {
		t.Fatal(err)
	}
	i2, _ := BuildImage(&Base{Ref: Scratch}, spec(Platform{OS: "linux", Architecture: "amd64"}, b, commitTime))
	i3, _ := BuildImage(&Base{Ref: Scratch}, spec(Platform{OS: "linux", Architecture: "amd64"}, b, commitTime.Add(time.Second)))
	if i1.Digest != i2.Digest || i1.LayerDigest != i2.LayerDigest {
		t.Errorf("same inputs, digests %s and %s", i1.Digest, i2.Digest)
	}
	if i3.Digest == i1.Digest || i3.LayerDigest == i1.LayerDigest {
		t.Error("another commit time gives the same digests")
	}
	if _, err := layerTar([]LayerFile{{Path: "usr/bin/x", Source: a}}, opts); err == nil {
		t.Error("a relative image path was accepted")
	}
}

// TestBasePlatformPick pushes a two-platform base into an in-process
// registry, resolves it to its index digest and checks that each image is
// built on the base image of its own platform, and that a missing platform
// is ErrNoPlatform.
func TestBasePlatformPick(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	ctx := context.Background()
	c := NewClient(ClientOptions{})
	var baseImgs []*Image
	for _, p := range []Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}} {
		img, err := BuildImage(&Base{Ref: Scratch}, spec(p, writeBin(t, "base "+p.String()), commitTime))
		if err != nil {
			t.Fatal(err)
		}
		baseImgs = append(baseImgs, img)
	}
	bx, err := NewIndex(baseImgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PushIndex(ctx, host+"/base/multi", bx); err != nil {
		t.Fatal(err)
	}
	if err := c.Tag(ctx, host+"/base/multi", bx, []string{"1"}); err != nil {
		t.Fatal(err)
	}
	base, err := c.ResolveBase(ctx, host+"/base/multi:1")
	if err != nil {
		t.Fatal(err)
	}
	if base.Digest != bx.Digest || base.PinnedRef() != host+"/base/multi@"+bx.Digest {
		t.Errorf("base resolved to %s, pushed %s", base.PinnedRef(), bx.Digest)
	}
	bin := writeBin(t, "app")
	for i, p := range []Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64", Variant: "v8"}} {
		img, err := BuildImage(base, spec(p, bin, commitTime))
		if err != nil {
			t.Fatal(err)
		}
		if img.BaseDigest != baseImgs[i].Digest {
			t.Errorf("%s built on %s, want %s", p, img.BaseDigest, baseImgs[i].Digest)
		}
		layers, _ := img.img.Layers()
		if len(layers) != 2 {
			t.Errorf("%s: %d layers, want the base's and ours", p, len(layers))
		}
	}
	_, err = BuildImage(base, spec(Platform{OS: "linux", Architecture: "s390x"}, bin, commitTime))
	if !errors.Is(err, ErrNoPlatform) || !strings.Contains(err.Error(), "has no linux/s390x image (it has linux/amd64, linux/arm64)") {
		t.Errorf("missing platform: %v", err)
	}
	if _, err := c.ResolveBase(ctx, host+"/base/none:1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing base: %v", err)
	}
}
