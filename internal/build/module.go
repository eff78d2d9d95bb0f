package build

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// Module is the Go module being built.
type Module struct {
	Path   string // module path from go.mod
	Dir    string // absolute directory holding go.mod
	Vendor bool   // vendor/modules.txt exists: build with -mod=vendor
}

// Package is a main package to build.
type Package struct {
	ImportPath string
	Dir        string
	GoFiles    []string
}

// ErrNoGoMod is returned when the module directory has no go.mod.
var ErrNoGoMod = errors.New("no go.mod")

// ReadModule reads dir/go.mod.
func ReadModule(dir string) (Module, error) {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if errors.Is(err, os.ErrNotExist) {
		return Module{}, fmt.Errorf("%s: %w", dir, ErrNoGoMod)
	}
	if err != nil {
		return Module{}, err
	}
	p := modfile.ModulePath(b)
	if p == "" {
		return Module{}, fmt.Errorf("%s: go.mod has no module line", dir)
	}
	_, err = os.Stat(filepath.Join(dir, "vendor", "modules.txt"))
	return Module{Path: p, Dir: dir, Vendor: err == nil}, nil
}

// ListMains resolves main package patterns with `go list`, in order. A
// pattern that is not a main package is an error naming it.
func ListMains(ctx context.Context, r Runner, env []string, m Module, patterns []string) ([]Package, error) {
	for _, p := range patterns {
		if strings.HasPrefix(p, "-") {
			return nil, fmt.Errorf("%q is not a package path", p)
		}
	}
	// -find: resolve the packages themselves, not their import graph (go build
	// reports a broken import per target, with its place).
	args := append([]string{"go", "list", "-e", "-find", "-json=ImportPath,Name,Dir,GoFiles,Error,Match"}, patterns...)
	out, err := r.Run(ctx, Command{Dir: m.Dir, Env: env, Args: args})
	if err != nil {
		return nil, fmt.Errorf("resolving main packages: %w", err)
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath, Name, Dir string
			GoFiles, Match        []string
			Error                 *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("decoding go list output: %w", err)
		}
		what := p.ImportPath
		if len(p.Match) > 0 {
			what = p.Match[0]
		}
		switch {
		case p.Error != nil:
			return nil, fmt.Errorf("main package %s: %s", what, strings.TrimSpace(p.Error.Err))
		case p.Name != "main":
			return nil, fmt.Errorf("%s is package %s, not a main package", what, p.Name)
		}
		pkgs = append(pkgs, Package{ImportPath: p.ImportPath, Dir: p.Dir, GoFiles: p.GoFiles})
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("%s matched no packages", strings.Join(patterns, ", "))
	}
	return pkgs, nil
}

// DefaultBinary is the name `go install` gives a main package: its last path
// element, or the one before when that is a major version such as v2.
func DefaultBinary(importPath string) string {
	elem := path.Base(importPath)
	if elem != importPath && len(elem) > 1 && elem[0] == 'v' && strings.Trim(elem[1:], "0123456789") == "" {
		elem = path.Base(path.Dir(importPath))
	}
	return elem
}

// CheckBinary rejects names that could leave their directory.
func CheckBinary(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\:*?"<>|`) || strings.Contains(name, "..") || strings.HasPrefix(name, "-") {
		return fmt.Errorf("%q is not a file name (no path separators, '..', or leading '-')", name)
	}
	return nil
}
