package gha

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Paths in inputs and outputs are relative to the workspace (DESIGN.md).
// These helpers are the one place that resolves and reports them.

// ResolvePath resolves p against base; an absolute p is only cleaned.
func ResolvePath(base, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, p)
}

// InsideWorkspace resolves p against the workspace ws and rejects anything
// that leaves it; the workspace itself is accepted only when self is true.
func InsideWorkspace(ws, p string, self bool) (string, error) {
	abs := ResolvePath(ws, p)
	rel, err := filepath.Rel(ws, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || (rel == "." && !self) {
		return "", fmt.Errorf("%q must be a directory inside the workspace %s", p, ws)
	}
	return abs, nil
}

// RelPath is p relative to the workspace ws in slash form, as outputs and
// annotations name files, or p itself (in slash form) when it is outside.
func RelPath(ws, p string) string {
	r, err := filepath.Rel(ws, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}
