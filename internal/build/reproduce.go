package build

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/slipway-dev/slipway/internal/gha"
)

// verifyReproducible rebuilds every target in a fresh copy of the source at
// another path, with an empty GOCACHE, and lists every artifact whose digest
// differs from the first build.
func (p *pipeline) verifyReproducible(ctx context.Context, a *gha.Action, d Deps, first *buildOutput) ([]string, error) {
	tmpRoot := d.TempDir
	if rt := a.Getenv("RUNNER_TEMP"); rt != "" {
		tmpRoot = rt
	}
	tmp, err := os.MkdirTemp(tmpRoot, "slipway-rebuild-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	// Copy what a fresh checkout plus the uncommitted changes would hold:
	// the repository's tracked and not-ignored files with its .git (so version
	// control stamping sees the same state) or, outside git, the module;
	// never the dist directory.
	root := p.mod.Dir
	if p.repoRoot != "" {
		root = p.repoRoot
	}
	copyRoot := filepath.Join(tmp, "src", filepath.Base(root))
	a.Infof("copying %s to %s", root, copyRoot)
	if err := p.copySource(ctx, d.Runner, a.Getenv, root, copyRoot); err != nil {
		return nil, fmt.Errorf("copying the source for the rebuild: %w", err)
	}
	relMod, err := filepath.Rel(root, p.mod.Dir)
	if err != nil {
		return nil, err
	}
	relDist, err := filepath.Rel(root, p.c.Dist)
	if err != nil || strings.HasPrefix(relDist, "..") {
		relDist = "dist" // dist outside the copied tree: put it beside the module
	}
	dirs := pipelineDirs{
		module:    filepath.Join(copyRoot, relMod),
		dist:      filepath.Join(copyRoot, relDist),
		workspace: copyRoot,
		gocache:   filepath.Join(tmp, "gocache"),
	}
	second, err := p.run(ctx, a, d, dirs)
	if err != nil {
		return nil, err
	}
	if len(second.failed) > 0 {
		return nil, fmt.Errorf("the rebuild at %s failed for %s", dirs.module, strings.Join(second.failed, ", "))
	}
	again := map[string]string{}
	for _, art := range second.manifest.Artifacts {
		again[art.Key()] = art.SHA256
	}
	var diffs []string
	for _, art := range first.manifest.Artifacts {
		if got := again[art.Key()]; got != art.SHA256 {
			diffs = append(diffs, fmt.Sprintf("%s (%s): sha256 %s in the build, %s in the rebuild", art.Path, art.Key(), art.SHA256, orNone(got)))
		}
	}
	return diffs, nil
}

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

// copySource copies the source tree for the rebuild.
func (p *pipeline) copySource(ctx context.Context, r Runner, getenv func(string) string, root, dst string) error {
	if p.repoRoot == "" {
		return copyTree(ctx, root, dst, p.c.Dist)
	}
	out, err := r.Run(ctx, Command{Dir: root, Env: gitEnv(getenv), Args: []string{"git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"}})
	if err != nil {
		return err
	}
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, filepath.FromSlash(f))
		if f == "" || strings.HasPrefix(src, p.c.Dist+string(filepath.Separator)) {
			continue
		}
		info, err := os.Lstat(src)
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		} else if err != nil {
			return err
		}
		if err := copyEntry(src, filepath.Join(dst, filepath.FromSlash(f)), info); err != nil {
			return err
		}
	}
	return copyGitDir(ctx, filepath.Join(root, ".git"), filepath.Join(dst, ".git"))
}

// copyGitDir copies a repository's .git for the rebuild without its object
// store, which can be most of a large repository: the copy borrows the
// original's objects read-only through objects/info/alternates, so git
// there sees the same commit, refs and index, and nothing is written to the
// original. A .git file (a worktree or submodule) is copied as it is.
func copyGitDir(ctx context.Context, src, dst string) error {
	info, err := os.Lstat(src)
	if err != nil {
		return err
	}
	objects := filepath.Join(src, "objects")
	if !info.IsDir() {
		return copyTree(ctx, src, dst, "")
	}
	if err := copyTree(ctx, src, dst, objects); err != nil {
		return err
	}
	abs, err := filepath.Abs(objects)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dst, "objects", "info"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dst, "objects", "info", "alternates"), []byte(abs+"\n"), 0o644)
}

// copyTree copies regular files, directories and symbolic links from src to
// dst, skipping the directory skip.
func copyTree(ctx context.Context, src, dst, skip string) error {
	return filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == skip {
			return filepath.SkipDir
		}
		r, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		return copyEntry(p, filepath.Join(dst, r), info)
	})
}

// copyEntry copies one directory (without its contents), symbolic link or
// regular file; sockets and devices are not source and are skipped.
func copyEntry(src, dst string, info fs.FileInfo) error {
	switch {
	case info.IsDir():
		return os.MkdirAll(dst, info.Mode().Perm()|0o700)
	case info.Mode()&fs.ModeSymlink != 0:
		link, err := os.Readlink(src)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.Symlink(link, dst)
	case info.Mode().IsRegular():
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return copyFile(src, dst, info.Mode().Perm())
	}
	return nil
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
