package atomicfile_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/slipway-dev/slipway/internal/atomicfile"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// dirNames lists the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	return string(testutil.ReadFile(t, path))
}

func TestWrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		existing string // content already at the path; "" for none
		data     string
	}{
		{name: "new file", data: "hello\n"},
		{name: "replaces existing", existing: "old content that is longer\n", data: "new\n"},
		{name: "empty data", existing: "old\n", data: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "out.txt")
			if tt.existing != "" {
				if err := os.WriteFile(path, []byte(tt.existing), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := atomicfile.Write(path, []byte(tt.data), 0o644); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if got := readFile(t, path); got != tt.data {
				t.Errorf("content = %q, want %q", got, tt.data)
			}
			if diff := cmp.Diff([]string{"out.txt"}, dirNames(t, dir)); diff != "" {
				t.Errorf("directory after Write (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWritePerm(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("windows has no Unix permission bits")
	}
	for _, perm := range []fs.FileMode{0o600, 0o640, 0o644, 0o755} {
		t.Run(perm.String(), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "out")
			// An existing file with other bits must not leak its mode.
			if err := os.WriteFile(path, []byte("old"), 0o666); err != nil {
				t.Fatal(err)
			}
			if err := atomicfile.Write(path, []byte("x"), perm); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != perm {
				t.Errorf("mode = %v, want %v", got, perm)
			}
		})
	}
}

func TestWriteMissingParent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "no-such-dir", "out")
	err := atomicfile.Write(path, []byte("x"), 0o644)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Write into a missing directory: err = %v, want fs.ErrNotExist", err)
	}
}

// TestWriteRenameFails makes the final rename fail (the destination is a
// non-empty directory) and checks that the temporary file is gone.
func TestWriteRenameFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	if err := os.MkdirAll(filepath.Join(path, "child"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.Write(path, []byte("x"), 0o644); err == nil {
		t.Fatal("Write over a non-empty directory succeeded")
	}
	if diff := cmp.Diff([]string{"out"}, dirNames(t, dir)); diff != "" {
		t.Errorf("temporary file left behind (-want +got):\n%s", diff)
	}
}

// TestWriteReadersSeeWholeFiles replaces a file repeatedly while readers read
// it; every read must see one complete version.
func TestWriteReadersSeeWholeFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	versions := [][]byte{
		bytes.Repeat([]byte("a"), 256<<10),
		bytes.Repeat([]byte("b"), 128<<10),
	}
	if err := atomicfile.Write(path, versions[0], 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				b, err := os.ReadFile(path)
				if err != nil {
					t.Errorf("read: %v", err)
					return
				}
				if !bytes.Equal(b, versions[0]) && !bytes.Equal(b, versions[1]) {
					t.Errorf("read a torn file of %d bytes", len(b))
					return
				}
			}
		})
	}
	for i := range 50 {
		if err := atomicfile.Write(path, versions[i%2], 0o644); err != nil {
			t.Error(err)
			break
		}
	}
	close(done)
	wg.Wait()
	if diff := cmp.Diff([]string{"out"}, dirNames(t, dir)); diff != "" {
		t.Errorf("directory after writes (-want +got):\n%s", diff)
	}
}

func TestCreateCommit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	if f.Name() != path {
		t.Errorf("Name() = %q, want %q", f.Name(), path)
	}
	if _, err := f.Write([]byte("part one, ")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("part two")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("before Commit, Stat(%s) err = %v, want fs.ErrNotExist", path, err)
	}
	names := dirNames(t, dir)
	if len(names) != 1 || !strings.HasPrefix(names[0], ".out.json.tmp-") {
		t.Errorf("before Commit the directory holds %q, want one .out.json.tmp-* file", names)
	}

	if err := f.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if got, want := readFile(t, path), "part one, part two"; got != want {
		t.Errorf("content = %q, want %q", got, want)
	}
	if diff := cmp.Diff([]string{"out.json"}, dirNames(t, dir)); diff != "" {
		t.Errorf("directory after Commit (-want +got):\n%s", diff)
	}

	if err := f.Commit(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("second Commit: err = %v, want fs.ErrClosed", err)
	}
	if _, err := f.Write([]byte("late")); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Write after Commit: err = %v, want fs.ErrClosed", err)
	}
	if err := f.Abort(); err != nil {
		t.Errorf("Abort after Commit: %v", err)
	}
	if got, want := readFile(t, path), "part one, part two"; got != want {
		t.Errorf("after Abort, content = %q, want %q", got, want)
	}
}

func TestCreateAbort(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		existing bool
	}{
		{name: "new path"},
		{name: "existing file kept", existing: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "out")
			want := []string{}
			if tt.existing {
				if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
					t.Fatal(err)
				}
				want = []string{"out"}
			}
			f, err := atomicfile.Create(path, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write([]byte("discarded")); err != nil {
				t.Fatal(err)
			}
			if err := f.Abort(); err != nil {
				t.Fatalf("Abort: %v", err)
			}
			if err := f.Abort(); err != nil {
				t.Errorf("second Abort: %v", err)
			}
			if err := f.Commit(); !errors.Is(err, fs.ErrClosed) {
				t.Errorf("Commit after Abort: err = %v, want fs.ErrClosed", err)
			}
			if diff := cmp.Diff(want, dirNames(t, dir)); diff != "" {
				t.Errorf("directory after Abort (-want +got):\n%s", diff)
			}
			if tt.existing {
				if got := readFile(t, path); got != "old" {
					t.Errorf("existing file changed to %q", got)
				}
			}
		})
	}
}

func TestCreateMissingParent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing", "out")
	if _, err := atomicfile.Create(path, 0o644); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Create in a missing directory: err = %v, want fs.ErrNotExist", err)
	}
}
