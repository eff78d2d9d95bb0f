package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes data to path atomically: a temporary file in the same directory
// (".<base>.tmp-<random>"), write, fsync, chmod perm, close, rename over path.
// The temporary file is removed on any error. The parent directory must exist.
func Write(path string, data []byte, perm fs.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Abort() // the write error is the one worth reporting
		return err
	}
	return f.Commit()
}

type state int

const (
	open state = iota
	committed
	aborted
)

// File is a file being written that appears at its final path only on Commit.
// Call Abort (typically deferred) to discard it; Abort after Commit does
// nothing. Like *os.File, a File is not safe for concurrent use.
type File struct {
	tmp   *os.File
	path  string
	perm  fs.FileMode
	state state
}

// Create starts writing path. The parent directory must exist. Nothing appears
// at path until Commit; perm is applied exactly (the umask does not apply).
func Create(path string, perm fs.FileMode) (*File, error) {
	dir, base := filepath.Split(path)
	if base == "" {
		return nil, fmt.Errorf("creating %s: path names a directory", path)
	}
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", path, err)
	}
	return &File{tmp: tmp, path: path, perm: perm}, nil
}

// Write writes p to the temporary file.
func (f *File) Write(p []byte) (int, error) {
	if f.state != open {
		return 0, fmt.Errorf("writing %s: %w", f.path, fs.ErrClosed)
	}
	n, err := f.tmp.Write(p)
	if err != nil {
		return n, fmt.Errorf("writing %s: %w", f.path, err)
	}
	return n, nil
}

// Name returns the final path, not the temporary one.
func (f *File) Name() string { return f.path }

// Commit syncs, chmods and closes the temporary file and renames it over the
// final path. On error the temporary file is removed and the final path is
// left as it was. Every call after the first returns an error wrapping
// fs.ErrClosed.
func (f *File) Commit() error {
	if f.state != open {
		return fmt.Errorf("committing %s: %w", f.path, fs.ErrClosed)
	}
	f.state = committed
	if err := f.commit(); err != nil {
		_ = f.tmp.Close() // may already be closed; the first error is what matters
		_ = os.Remove(f.tmp.Name())
		return fmt.Errorf("committing %s: %w", f.path, err)
	}
	return nil
}

func (f *File) commit() error {
	if err := f.tmp.Sync(); err != nil {
		return err
	}
	if err := f.tmp.Chmod(f.perm); err != nil {
		return err
	}
	if err := f.tmp.Close(); err != nil {
		return err
	}
	return os.Rename(f.tmp.Name(), f.path)
}

// Abort closes and removes the temporary file. It does nothing after Commit
// or a previous Abort, so it is safe to defer.
func (f *File) Abort() error {
	if f.state != open {
		return nil
	}
	f.state = aborted
	closeErr := f.tmp.Close()
	if err := os.Remove(f.tmp.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("aborting %s: %w", f.path, err)
	}
	if closeErr != nil {
		return fmt.Errorf("aborting %s: %w", f.path, closeErr)
	}
	return nil
}
