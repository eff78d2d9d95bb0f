package build

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/atomicfile"
)

// Archive formats.
const (
	FormatAuto  = "auto" // tar.gz, zip for windows
	FormatTarGz = "tar.gz"
	FormatZip   = "zip"
	FormatNone  = "none"
)

// FormatFor resolves auto for a target.
func FormatFor(format string, t Target) string {
	if format != FormatAuto {
		return format
	}
	if t.GOOS == "windows" {
		return FormatZip
	}
	return FormatTarGz
}

// Entry is one file in an archive.
type Entry struct {
	Name string // slash path inside the archive
	Src  string // file on disk
	Exec bool   // mode 0755 instead of 0644
}

// WriteArchive writes a deterministic archive: entries sorted by name, every
// mtime the given time, uid/gid 0 with no names, modes 0755 or 0644, no gzip
// name or time. The file appears only once complete.
func WriteArchive(dst, format string, entries []Entry, mtime time.Time) error {
	entries = slices.Clone(entries)
	slices.SortFunc(entries, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	f, err := atomicfile.Create(dst, 0o644)
	if err != nil {
		return err
	}
	switch format {
	case FormatTarGz:
		err = writeTarGz(f, entries, mtime)
	case FormatZip:
		err = writeZip(f, entries, mtime)
	default:
		err = fmt.Errorf("unknown archive format %q", format)
	}
	if err != nil {
		_ = f.Abort()
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	return f.Commit()
}

func entryMode(e Entry) fs.FileMode {
	if e.Exec {
		return 0o755
	}
	return 0o644
}

func writeTarGz(w io.Writer, entries []Entry, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		if err := addFile(e, func(size int64) (io.Writer, error) {
			err := tw.WriteHeader(&tar.Header{
				Typeflag: tar.TypeReg,
				Name:     e.Name,
				Size:     size,
				Mode:     int64(entryMode(e)),
				ModTime:  mtime.UTC().Truncate(time.Second),
				Format:   tar.FormatPAX,
			})
			return tw, err
		}); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, entries []Entry, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, e := range entries {
		if err := addFile(e, func(int64) (io.Writer, error) {
			h := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: mtime.UTC().Truncate(time.Second)}
			h.SetMode(entryMode(e))
			return zw.CreateHeader(h)
		}); err != nil {
			return err
		}
	}
	return zw.Close()
}

// addFile copies e.Src into the writer that header returns for its size.
func addFile(e Entry, header func(size int64) (io.Writer, error)) error {
	if !fs.ValidPath(e.Name) || path.Clean(e.Name) != e.Name {
		return fmt.Errorf("archive entry name %q is not a clean relative path", e.Name)
	}
	f, err := os.Open(e.Src)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", e.Src)
	}
	w, err := header(st.Size())
	if err != nil {
		return err
	}
	n, err := io.Copy(w, f)
	if err == nil && n != st.Size() {
		err = fmt.Errorf("%s changed size while archiving", e.Src)
	}
	return err
}
