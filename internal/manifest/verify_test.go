package manifest_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/manifest"
)

// writeDist writes files (slash paths relative to dir) and returns a manifest
// listing them with their true digests.
func writeDist(t *testing.T, dir string, files map[string]string) *manifest.Manifest {
	t.Helper()
	m := manifest.New(project())
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		m.Add(manifest.Artifact{
			Name: p, Kind: manifest.KindBinary, Path: p,
			SHA256: digest(content), Size: int64(len(content)),
		})
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	return m
}

func distFiles(n int) map[string]string {
	files := map[string]string{}
	for i := range n {
		files[fmt.Sprintf("hello_%d/hello", i)] = strings.Repeat(fmt.Sprint(i), 1000+i)
	}
	return files
}

func TestVerifyGood(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 3 * runtime.NumCPU()} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			m := writeDist(t, dir, distFiles(n))
			if err := m.Verify(t.Context(), dir); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

func TestVerifyProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(t *testing.T, dir string, m *manifest.Manifest)
		want   []string
		is     []error
	}{
		{
			name: "tampered file",
			change: func(t *testing.T, dir string, m *manifest.Manifest) {
				// Same size, other content.
				write(t, dir, "hello_linux_amd64/hello", "HELLO linux")
			},
			want: []string{"hello_linux_amd64/hello: sha256 is " + digest("HELLO linux") + ", manifest says " + digest("hello linux")},
			is:   []error{manifest.ErrMismatch},
		},
		{
			name: "missing file",
			change: func(t *testing.T, dir string, m *manifest.Manifest) {
				if err := os.Remove(filepath.Join(dir, "hello_linux_amd64", "hello")); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"hello_linux_amd64/hello: missing from "},
			is:   []error{manifest.ErrMismatch, fs.ErrNotExist},
		},
		{
			name: "size mismatch",
			change: func(t *testing.T, dir string, m *manifest.Manifest) {
				write(t, dir, "hello_linux_amd64/hello", "hello linux!")
			},
			want: []string{"hello_linux_amd64/hello: size is 12 bytes, manifest says 11; sha256 is " + digest("hello linux!") + ", manifest says " + digest("hello linux")},
			is:   []error{manifest.ErrMismatch},
		},
		{
			name: "manifest entry wrong",
			change: func(t *testing.T, dir string, m *manifest.Manifest) {
				for i := range m.Artifacts {
					if m.Artifacts[i].Path == "hello_darwin_arm64/hello" {
						m.Artifacts[i].SHA256 = digest("other")
					}
				}
			},
			want: []string{"hello_darwin_arm64/hello: sha256 is " + digest("hello darwin") + ", manifest says " + digest("other")},
		},
		{
			name: "every problem is reported",
			change: func(t *testing.T, dir string, m *manifest.Manifest) {
				write(t, dir, "hello_linux_amd64/hello", "HELLO linux")
				if err := os.Remove(filepath.Join(dir, "hello_darwin_arm64", "hello")); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"hello_linux_amd64/hello: sha256 is", "hello_darwin_arm64/hello: missing"},
		},
		{
			name: "path escaping dist",
			change: func(t *testing.T, dir string, m *manifest.Manifest) {
				m.Artifacts[0].Path = "../outside"
			},
			want: []string{`"../outside" has a ".." element`},
		},
		{
			name: "symbolic link leading out of dist",
			change: func(t *testing.T, dir string, m *manifest.Manifest) {
				if runtime.GOOS == "windows" {
					t.Skip("symbolic links need privileges on windows")
				}
				outside := filepath.Join(t.TempDir(), "secret")
				if err := os.WriteFile(outside, []byte("hello linux"), 0o644); err != nil {
					t.Fatal(err)
				}
				p := filepath.Join(dir, "hello_linux_amd64", "hello")
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(outside, p); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"hello_linux_amd64/hello"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			m := writeDist(t, dir, map[string]string{
				"hello_linux_amd64/hello":   "hello linux",
				"hello_darwin_arm64/hello":  "hello darwin",
				"hello_1.2.3_checksums.txt": "sums",
			})
			tt.change(t, dir, m)
			err := m.Verify(t.Context(), dir)
			if err == nil {
				t.Fatal("Verify succeeded")
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error does not contain %q:\n%v", s, err)
				}
			}
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(err, %v) = false for %v", target, err)
				}
			}
		})
	}
}

func write(t *testing.T, dir, p, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyMissingDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "dist")
	m := manifest.New(project())
	if err := m.Verify(t.Context(), dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Verify of a missing dir: err = %v, want fs.ErrNotExist", err)
	}
}

func TestVerifyCancelled(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m := writeDist(t, dir, distFiles(20))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := m.Verify(ctx, dir); !errors.Is(err, context.Canceled) {
		t.Errorf("Verify with a cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestHashFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		content string
		sha256  string
	}{
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{strings.Repeat("x", 1<<20+7), digest(strings.Repeat("x", 1<<20+7))},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(len(tt.content)), func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(dir, fmt.Sprint(i))
			if err := os.WriteFile(p, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			sum, size, err := manifest.HashFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if sum != tt.sha256 || size != int64(len(tt.content)) {
				t.Errorf("HashFile = %s, %d; want %s, %d", sum, size, tt.sha256, len(tt.content))
			}
		})
	}
	missing := filepath.Join(dir, "missing")
	if _, _, err := manifest.HashFile(missing); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("HashFile(missing): err = %v, want fs.ErrNotExist naming the path", err)
	}
}
