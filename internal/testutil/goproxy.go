package testutil

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

// ProxyTime is the time every module version in a test proxy was published.
const ProxyTime = "2026-11-01T10:00:00Z"

// ModuleHash is the go.sum hashes of one module version.
type ModuleHash struct {
	Path, Version string
	ZipHash       string // h1: hash of the module zip
	ModHash       string // h1: hash of its go.mod
}

// GoSumLines returns the two go.sum lines of the module version.
func (h ModuleHash) GoSumLines() string {
	return fmt.Sprintf("%s %s %s\n%s %s/go.mod %s\n", h.Path, h.Version, h.ZipHash, h.Path, h.Version, h.ModHash)
}

// GoProxyDir builds a GOPROXY directory (the module proxy protocol's file
// layout: <path>/@v/list, <version>.info, .mod and .zip, escaped as the
// protocol says) from src, in which every directory named
// <module path>@<version> (the path's slashes being directories, as in
// example.com/lib@v1.0.0) holding a go.mod is one module version. The zips are
// made with golang.org/x/mod/zip, so they hash like the real ones. It returns
// the directory and the hashes of every version, sorted by path and version.
func GoProxyDir(t testing.TB, src string) (string, []ModuleHash) {
	t.Helper()
	dst := t.TempDir()
	var versions []module.Version
	dirs := map[module.Version]string{}
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() || !strings.Contains(d.Name(), "@") {
			return err
		}
		if _, err := os.Stat(filepath.Join(p, "go.mod")); err != nil {
			return nil
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		modPath, version, _ := strings.Cut(filepath.ToSlash(rel), "@")
		m := module.Version{Path: modPath, Version: version}
		if err := module.Check(modPath, version); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		versions = append(versions, m)
		dirs[m] = p
		return filepath.SkipDir
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) == 0 {
		t.Fatalf("no <module>@<version> directories with a go.mod under %s", src)
	}
	slices.SortFunc(versions, func(a, b module.Version) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return semver.Compare(a.Version, b.Version)
	})
	lists := map[string][]string{}
	var hashes []ModuleHash
	for _, m := range versions {
		h, err := writeProxyVersion(dst, dirs[m], m)
		if err != nil {
			t.Fatalf("proxy %s: %v", m, err)
		}
		hashes = append(hashes, h)
		lists[m.Path] = append(lists[m.Path], m.Version)
	}
	for p, vs := range lists {
		dir, err := proxyDir(dst, p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "list"), []byte(strings.Join(vs, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst, hashes
}

func proxyDir(root, modPath string) (string, error) {
	esc, err := module.EscapePath(modPath)
	if err != nil {
		return "", err
	}
	return filepath.Join(root, filepath.FromSlash(esc), "@v"), nil
}

// writeProxyVersion writes one version's .info, .mod and .zip.
func writeProxyVersion(root, src string, m module.Version) (ModuleHash, error) {
	dir, err := proxyDir(root, m.Path)
	if err != nil {
		return ModuleHash{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ModuleHash{}, err
	}
	ev, err := module.EscapeVersion(m.Version)
	if err != nil {
		return ModuleHash{}, err
	}
	base := filepath.Join(dir, ev)
	info := fmt.Sprintf(`{"Version":%q,"Time":%q}`+"\n", m.Version, ProxyTime)
	if err := os.WriteFile(base+".info", []byte(info), 0o644); err != nil {
		return ModuleHash{}, err
	}
	gomod, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		return ModuleHash{}, err
	}
	if err := os.WriteFile(base+".mod", gomod, 0o644); err != nil {
		return ModuleHash{}, err
	}
	var zb bytes.Buffer
	if err := modzip.CreateFromDir(&zb, m, src); err != nil {
		return ModuleHash{}, err
	}
	if err := os.WriteFile(base+".zip", zb.Bytes(), 0o644); err != nil {
		return ModuleHash{}, err
	}
	return HashModuleFiles(m, base+".zip", base+".mod")
}

// HashModuleFiles computes the go.sum hashes of a module version from its zip
// and go.mod files (as found in a proxy or in GOMODCACHE/cache/download); an
// empty zip path leaves ZipHash empty.
func HashModuleFiles(m module.Version, zipFile, modFile string) (ModuleHash, error) {
	h := ModuleHash{Path: m.Path, Version: m.Version}
	var err error
	if zipFile != "" {
		if h.ZipHash, err = dirhash.HashZip(zipFile, dirhash.Hash1); err != nil {
			return h, err
		}
	}
	h.ModHash, err = dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) { return os.Open(modFile) })
	return h, err
}

// FileURL is the file:// URL of a local directory, as GOPROXY takes it.
func FileURL(dir string) string {
	p := filepath.ToSlash(dir)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x → /C:/x
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// ServeDir serves a directory (a GOPROXY directory, say) over HTTP on
// 127.0.0.1 until the test ends, and returns its URL.
func ServeDir(t testing.TB, dir string) string {
	t.Helper()
	return Serve(t, http.FileServer(http.Dir(dir)))
}

// Serve runs h on a new HTTP server on 127.0.0.1 until the test ends and
// returns its URL.
func Serve(t testing.TB, h http.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// DeadURL returns an http URL on 127.0.0.1 where nothing listens: a port
// that was just open and is now closed.
func DeadURL(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}

// ModCache returns a new, empty GOMODCACHE directory. The go command makes
// the files it extracts read-only; the directory is made writable again
// before the test's temporary directory is removed.
func ModCache(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "modcache")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { MakeWritable(t, dir) })
	return dir
}

// MakeWritable adds the owner's write permission to every directory and
// file under dir.
func MakeWritable(t testing.TB, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil // best effort: what cannot be read cannot be fixed
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		return os.Chmod(p, info.Mode().Perm()|0o200)
	})
	if err != nil {
		t.Errorf("making %s writable: %v", dir, err)
	}
}
