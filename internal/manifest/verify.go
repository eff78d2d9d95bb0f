package manifest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// Verify re-hashes every artifact at filepath.Join(dir, filepath.FromSlash(a.Path)).
// A missing file or a size or sha256 mismatch is an error naming the path and
// both digests, such as "hello_linux_amd64/hello: sha256 is <disk>, manifest
// says <manifest>"; these wrap ErrMismatch. All problems are joined, in
// manifest order. Files are opened through an os.Root on dir, so neither a
// path nor a symbolic link can lead outside it. Files are hashed concurrently,
// at most runtime.NumCPU() at a time.
func (m *Manifest) Verify(ctx context.Context, dir string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("verifying %s: %w", dir, err)
	}
	defer root.Close()

	errs := make([]error, len(m.Artifacts))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.NumCPU(), len(m.Artifacts)) {
		wg.Go(func() {
			for i := range work {
				errs[i] = verifyArtifact(ctx, root, dir, m.Artifacts[i])
			}
		})
	}
feed:
	for i := range m.Artifacts {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("verifying %s: %w", dir, err)
	}
	return errors.Join(errs...)
}

func verifyArtifact(ctx context.Context, root *os.Root, dir string, a Artifact) error {
	if err := checkPath(a.Path); err != nil {
		return fmt.Errorf("%s: %w", a.Path, err)
	}
	f, err := root.Open(filepath.FromSlash(a.Path))
	if errors.Is(err, fs.ErrNotExist) {
		return mark(ErrMismatch, "%s: missing from %s: %w", a.Path, dir, fs.ErrNotExist)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", a.Path, err)
	}
	defer f.Close()
	sum, size, err := hashReader(ctx, f)
	if err != nil {
		return fmt.Errorf("%s: hashing: %w", a.Path, err)
	}
	switch {
	case size != a.Size:
		return mark(ErrMismatch, "%s: size is %d bytes, manifest says %d; sha256 is %s, manifest says %s",
			a.Path, size, a.Size, sum, a.SHA256)
	case sum != a.SHA256:
		return mark(ErrMismatch, "%s: sha256 is %s, manifest says %s", a.Path, sum, a.SHA256)
	}
	return nil
}

// HashFile returns the lowercase hex SHA-256 and the size of the file at path.
func HashFile(path string) (sha256hex string, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("hashing: %w", err)
	}
	defer f.Close()
	sum, size, err := hashReader(context.Background(), f)
	if err != nil {
		return "", 0, fmt.Errorf("hashing %s: %w", path, err)
	}
	return sum, size, nil
}

// hashReader hashes r, stopping early when ctx is done so that hashing a
// large file ends promptly on cancellation.
func hashReader(ctx context.Context, r io.Reader) (string, int64, error) {
	h := sha256.New()
	buf := make([]byte, 256<<10)
	var size int64
	for {
		if err := ctx.Err(); err != nil {
			return "", 0, err
		}
		n, err := r.Read(buf)
		h.Write(buf[:n]) // a hash.Hash never returns an error
		size += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", 0, err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), size, nil
}
