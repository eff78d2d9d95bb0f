package build

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func writeFiles(t *testing.T, dir string, mtime time.Time, perm os.FileMode) []Entry {
	t.Helper()
	files := map[string]string{"tool": "\x7fELF binary", "README.md": "read me\n", "LICENSE": "license\n"}
	var es []Entry
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), perm); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		es = append(es, Entry{Name: name, Src: p, Exec: name == "tool"})
	}
	return es
}

func TestWriteArchiveDeterministic(t *testing.T) {
	t.Parallel()
	commit := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for _, format := range []string{FormatTarGz, FormatZip} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			// Two source trees that differ in everything but content: path,
			// file times, permissions and entry order.
			a, b := t.TempDir(), t.TempDir()
			ea := writeFiles(t, a, time.Now(), 0o600)
			eb := writeFiles(t, b, time.Unix(0, 0), 0o777)
			eb[0], eb[len(eb)-1] = eb[len(eb)-1], eb[0]
			out := t.TempDir()
			pa, pb := filepath.Join(out, "a."+format), filepath.Join(out, "b."+format)
			if err := WriteArchive(pa, format, ea, commit); err != nil {
				t.Fatal(err)
			}
			if err := WriteArchive(pb, format, eb, commit); err != nil {
				t.Fatal(err)
			}
			ba, _ := os.ReadFile(pa)
			bb, _ := os.ReadFile(pb)
			if !bytes.Equal(ba, bb) {
				t.Fatal("the same files archived from two trees differ")
			}
			type hdr struct {
				Name        string
				Mode        os.FileMode
				MTime       time.Time
				UID, GID    int
				Uname, Gnme string
			}
			var got []hdr
			if format == FormatTarGz {
				zr, err := gzip.NewReader(bytes.NewReader(ba))
				if err != nil {
					t.Fatal(err)
				}
				if zr.Name != "" || !zr.ModTime.IsZero() {
					t.Errorf("gzip header has name %q, mtime %v", zr.Name, zr.ModTime)
				}
				tr := tar.NewReader(zr)
				for {
					h, err := tr.Next()
					if err == io.EOF {
						break
					} else if err != nil {
						t.Fatal(err)
					}
					got = append(got, hdr{h.Name, os.FileMode(h.Mode), h.ModTime.UTC(), h.Uid, h.Gid, h.Uname, h.Gname})
				}
			} else {
				zr, err := zip.NewReader(bytes.NewReader(ba), int64(len(ba)))
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range zr.File {
					got = append(got, hdr{Name: f.Name, Mode: f.Mode().Perm(), MTime: f.Modified.UTC()})
				}
			}
			want := []hdr{{Name: "LICENSE", Mode: 0o644, MTime: commit}, {Name: "README.md", Mode: 0o644, MTime: commit}, {Name: "tool", Mode: 0o755, MTime: commit}}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("entries (-want +got):\n%s", d)
			}
		})
	}
}

func TestWriteArchiveErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dst := filepath.Join(dir, "x.tar.gz")
	for name, es := range map[string][]Entry{
		"missing source": {{Name: "a", Src: filepath.Join(dir, "nope")}},
		"escaping name":  {{Name: "../a", Src: dst}},
		"directory":      {{Name: "d", Src: dir}},
	} {
		if err := WriteArchive(dst, FormatTarGz, es, time.Unix(0, 0)); err == nil {
			t.Errorf("%s: want an error", name)
		}
		if _, err := os.Stat(dst); !os.IsNotExist(err) {
			t.Errorf("%s: a half-written archive was left behind", name)
		}
	}
}

func TestChecksumsReadBySha256sum(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "tool_linux_amd64"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"b.tar.gz", "a.zip", "tool_linux_amd64/tool"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sums := filepath.Join(dir, "tool_1.0.0_checksums.txt")
	if err := WriteChecksums(sums, dir, ChecksumSHA256, []string{"b.tar.gz", "tool_linux_amd64/tool", "a.zip"}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(sums)
	// Digests are checked by sha256sum below; order and format here.
	lines := bytes.Split(bytes.TrimSpace(got), []byte("\n"))
	if len(lines) != 3 || !bytes.HasSuffix(lines[0], []byte("  a.zip")) || !bytes.HasSuffix(lines[2], []byte("  tool_linux_amd64/tool")) {
		t.Errorf("checksums not sorted or not in sha256sum format:\n%s", got)
	}
	if _, err := exec.LookPath("sha256sum"); err != nil {
		t.Skip("sha256sum (coreutils) not installed")
	}
	cmd := exec.Command("sha256sum", "--strict", "-c", filepath.Base(sums))
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("sha256sum -c: %v\n%s", err, out)
	}
	// A changed file must fail the same check: the file is not just well-formed.
	if err := os.WriteFile(filepath.Join(dir, "a.zip"), []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command("sha256sum", "--strict", "-c", filepath.Base(sums))
	cmd.Dir = dir
	if err := cmd.Run(); err == nil {
		t.Error("sha256sum -c passed on a tampered file")
	}
	sha512 := filepath.Join(dir, "s512.txt")
	if err := WriteChecksums(sha512, dir, ChecksumSHA512, []string{"b.tar.gz"}); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command("sha512sum", "--strict", "-c", "s512.txt")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("sha512sum -c: %v\n%s", err, out)
	}
}
