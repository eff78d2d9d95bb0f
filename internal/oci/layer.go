package oci

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// DefaultUID and DefaultGID own the files of the binary layer: distroless's
// nonroot user.
const (
	DefaultUID = 65532
	DefaultGID = 65532
)

// LayerFile is one file of a layer.
type LayerFile struct {
	Path   string      // absolute path in the image, slash form: /usr/local/bin/hello
	Source string      // the file on disk
	Mode   os.FileMode // permission bits; 0 means 0755
}

// LayerOptions fix everything in a layer that is not file content, so the
// same files always give the same digest.
type LayerOptions struct {
	ModTime  time.Time // every entry's mtime: the commit time
	UID, GID int       // owner of the files (directories belong to root)
}

// CheckImagePath reports whether p can be a file path inside an image.
func CheckImagePath(p string) error {
	switch {
	case !strings.HasPrefix(p, "/"):
		return fmt.Errorf("%q is not absolute: give a path such as /usr/local/bin/hello", p)
	case path.Clean(p) != p:
		return fmt.Errorf("%q is not clean: write %q", p, path.Clean(p))
	case p == "/":
		return fmt.Errorf("%q names no file", p)
	}
	return nil
}

// layerTar writes the files as a tar stream: parent directories first (root,
// 0755), then each file (opts.UID/GID, its mode), all dated opts.ModTime,
// sorted by path, with no user or group names.
func layerTar(files []LayerFile, opts LayerOptions) ([]byte, error) {
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b LayerFile) int { return strings.Compare(a.Path, b.Path) })
	mtime := opts.ModTime.UTC().Truncate(time.Second)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	for i, f := range files {
		if err := CheckImagePath(f.Path); err != nil {
			return nil, err
		}
		if i > 0 && files[i-1].Path == f.Path {
			return nil, fmt.Errorf("%s is given twice", f.Path)
		}
		rel := strings.TrimPrefix(f.Path, "/")
		var parents []string
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			parents = append(parents, d)
		}
		slices.Reverse(parents)
		for _, d := range parents {
			if dirs[d] {
				continue
			}
			dirs[d] = true
			hdr := &tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: mtime}
			if err := tw.WriteHeader(hdr); err != nil {
				return nil, err
			}
		}
		if err := writeFileEntry(tw, rel, f, opts, mtime); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeFileEntry(tw *tar.Writer, name string, f LayerFile, opts LayerOptions, mtime time.Time) error {
	src, err := os.Open(f.Source)
	if err != nil {
		return err
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", f.Source)
	}
	mode := f.Mode.Perm()
	if mode == 0 {
		mode = 0o755
	}
	hdr := &tar.Header{
		Typeflag: tar.TypeReg, Name: name, Size: st.Size(), Mode: int64(mode),
		Uid: opts.UID, Gid: opts.GID, ModTime: mtime,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	n, err := io.Copy(tw, src)
	if err != nil {
		return fmt.Errorf("reading %s: %w", f.Source, err)
	}
	if n != st.Size() {
		return fmt.Errorf("%s changed size while it was read", f.Source)
	}
	return nil
}

// newLayer returns the files as a gzip-compressed OCI layer. Its digest
// depends only on the files' paths, contents and modes and on opts.
//
// The tar stream is built, hashed and compressed once, here: the layer keeps
// both forms in memory, so computing the image digest, writing the layout and
// uploading never compress it again. The compression is gzip.BestSpeed with
// no header fields, byte for byte what go-containerregistry's tarball layers
// produce, so digests do not depend on which of the two built the layer.
func newLayer(files []LayerFile, opts LayerOptions) (v1.Layer, error) {
	tb, err := layerTar(files, opts)
	if err != nil {
		return nil, fmt.Errorf("building the layer: %w", err)
	}
	diffID, _, err := v1.SHA256(bytes.NewReader(tb))
	if err != nil {
		return nil, fmt.Errorf("building the layer: %w", err)
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	if err != nil {
		return nil, fmt.Errorf("building the layer: %w", err)
	}
	if _, err := zw.Write(tb); err != nil {
		return nil, fmt.Errorf("compressing the layer: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compressing the layer: %w", err)
	}
	digest, size, err := v1.SHA256(bytes.NewReader(gz.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("building the layer: %w", err)
	}
	return &memLayer{tar: tb, gz: gz.Bytes(), diffID: diffID, digest: digest, size: size}, nil
}

// memLayer is a layer held in memory with its digests computed: an
// implementation of v1.Layer.
type memLayer struct {
	tar, gz        []byte
	diffID, digest v1.Hash
	size           int64
}

func (l *memLayer) Digest() (v1.Hash, error)            { return l.digest, nil }
func (l *memLayer) DiffID() (v1.Hash, error)            { return l.diffID, nil }
func (l *memLayer) Size() (int64, error)                { return l.size, nil }
func (l *memLayer) MediaType() (types.MediaType, error) { return types.OCILayer, nil }
func (l *memLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.gz)), nil
}
func (l *memLayer) Uncompressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.tar)), nil
}
