package testutil

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/ with the current output")

// Golden compares got with testdata/<name>, or rewrites the file with -update.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	GoldenFile(t, filepath.Join("testdata", name), got)
}

// GoldenFile compares got with the file at path (a generated file kept in
// the repository), or rewrites it with -update.
func GoldenFile(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, d)
	}
}

// GoldenSection compares the text between the begin and end marker lines of
// the file at path with want, or rewrites that section with -update. Docs use
// it to keep generated tables beside hand-written prose.
func GoldenSection(t testing.TB, path, begin, end, want string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i+len(begin) {
		t.Fatalf("%s lacks the markers %q and %q", path, begin, end)
	}
	if *update {
		if err := os.WriteFile(path, []byte(doc[:i+len(begin)]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if d := cmp.Diff(want, doc[i+len(begin):j]); d != "" {
		t.Errorf("%s: generated section differs (-want +got; go test -update rewrites it):\n%s", path, d)
	}
}

// ReadFile returns a file's contents, failing the test when it cannot be read.
func ReadFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Markers around the generated inputs/outputs tables of docs/<action>.md.
const (
	DocsBegin = "<!-- generated from the Go declaration: begin -->\n"
	DocsEnd   = "<!-- generated from the Go declaration: end -->\n"
)

// DocsTables keeps the generated tables of an action's docs page (the file
// at path, between DocsBegin and DocsEnd) equal to tables, the output of its
// gha.Spec MarkdownTables; go test -update rewrites them.
func DocsTables(t testing.TB, path, tables string) {
	t.Helper()
	GoldenSection(t, path, DocsBegin, DocsEnd, tables)
}
