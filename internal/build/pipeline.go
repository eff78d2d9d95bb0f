package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
)

// mainBuild is one main package with its binary name and linker flags.
type mainBuild struct {
	pkg     Package
	binary  string
	ldflags string
}

// extraFile is a file added to every archive.
type extraFile struct {
	rel  string // relative to the module directory (may climb to the repository root)
	name string // name inside the archive
}

// pipeline is everything a build needs, fixed before the first compile so
// that a rebuild elsewhere runs the very same steps.
type pipeline struct {
	c        Config
	mod      Module
	repoRoot string // "" outside git
	project  manifest.Project
	targets  []Target
	mains    []mainBuild
	extras   []extraFile
}

type pipelineDirs struct {
	module, dist, workspace string
	gocache                 string // "" keeps the inherited cache
}

type buildOutput struct {
	manifest *manifest.Manifest
	results  []Result
	failed   []string // targets that did not build
}

func newPipeline(c Config, mod Module, src Source, pkgs []Package, targets []Target) (*pipeline, error) {
	p := &pipeline{c: c, mod: mod, repoRoot: src.RepoRoot, targets: targets}
	vals := LinkValues{Version: src.Version, Commit: src.Commit, Date: src.CommitTime.Format(time.RFC3339)}
	seen := map[string]string{}
	for i, pkg := range pkgs {
		name := DefaultBinary(pkg.ImportPath)
		if len(c.Binaries) > 0 {
			name = c.Binaries[i]
		}
		if err := CheckBinary(name); err != nil {
			return nil, gha.Usagef("binary", "main package %s: %v; set binary", pkg.ImportPath, err)
		}
		if other, dup := seen[name]; dup {
			return nil, gha.Usagef("binary", "%s and %s would both be named %s: set binary to one name per main package", other, pkg.ImportPath, name)
		}
		seen[name] = pkg.ImportPath
		vars := c.LinkVars
		if c.DetectLinkVars {
			var err error
			if vars, err = DetectLinkVars(pkg.Dir, pkg.GoFiles); err != nil {
				return nil, err
			}
		}
		ld, err := Ldflags(vars, vals, c.Ldflags)
		if err != nil {
			return nil, gha.Usagef("version", "%v", err)
		}
		p.mains = append(p.mains, mainBuild{pkg: pkg, binary: name, ldflags: ld})
	}
	p.project = manifest.Project{
		Module: mod.Path, Name: p.mains[0].binary, Version: src.Version,
		Commit: src.Commit, CommitTime: src.CommitTime, Ref: src.Ref,
	}
	var err error
	if p.extras, err = findExtras(mod.Dir, src.RepoRoot, c.ExtraFiles, c.ExtraFilesGiven); err != nil {
		return nil, err
	}
	return p, nil
}

// findExtras expands the extra-files globs in the module directory; the
// defaults fall back to the repository root when the module has none.
func findExtras(modDir, repoRoot string, globs []string, given bool) ([]extraFile, error) {
	var out []extraFile
	for _, g := range globs {
		matches, _ := filepath.Glob(filepath.Join(modDir, g))
		if len(matches) == 0 && !given && repoRoot != "" && repoRoot != modDir {
			matches, _ = filepath.Glob(filepath.Join(repoRoot, g))
		}
		var files []string
		for _, m := range matches {
			if st, err := os.Stat(m); err == nil && st.Mode().IsRegular() {
				files = append(files, m)
			}
		}
		if len(files) == 0 && given {
			return nil, gha.Usagef("extra-files", "%q matches no file in %s", g, modDir)
		}
		for _, f := range files {
			r, err := filepath.Rel(modDir, f)
			if err != nil {
				return nil, err
			}
			name := filepath.Base(f)
			if given {
				name = filepath.ToSlash(r)
			}
			if !slices.ContainsFunc(out, func(e extraFile) bool { return e.name == name }) {
				out = append(out, extraFile{rel: r, name: name})
			}
		}
	}
	return out, nil
}

func (p *pipeline) binaryPath(mb mainBuild, t Target) string {
	return path.Join(mb.binary+"_"+t.Slug(), mb.binary+t.Exe())
}

func (p *pipeline) archivePath(t Target, format string) string {
	return fmt.Sprintf("%s_%s_%s.%s", p.project.Name, p.project.Version, t.Slug(), format)
}

func (p *pipeline) checksumsPath() string {
	return fmt.Sprintf("%s_%s_checksums.txt", p.project.Name, p.project.Version)
}

// run compiles, places, archives and checksums every target into dirs.dist
// and returns the manifest of what built (not saved).
func (p *pipeline) run(ctx context.Context, a *gha.Action, d Deps, dirs pipelineDirs) (*buildOutput, error) {
	if err := os.MkdirAll(dirs.dist, 0o755); err != nil {
		return nil, err
	}
	staging, err := os.MkdirTemp(dirs.dist, ".slipway-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(staging)

	var jobs []Job
	for _, t := range p.targets {
		env := Environ(a.Getenv, t, EnvOptions{CGO: p.c.CGO(t), Vendor: p.mod.Vendor, GOCACHE: dirs.gocache, Extra: p.c.Env, GOFLAGS: p.c.GOFLAGS})
		for _, mb := range p.mains {
			out := filepath.Join(staging, filepath.FromSlash(p.binaryPath(mb, t)))
			jobs = append(jobs, Job{
				Target: t, Main: mb.pkg, Binary: mb.binary, Out: out, Env: env,
				Args: GoBuildArgs(mb.ldflags, p.c.Tags, p.c.Flags, out, mb.pkg.ImportPath),
			})
		}
	}
	results := Compile(ctx, d.Runner, dirs.module, jobs, p.c.Parallelism, d.Now)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := &buildOutput{manifest: manifest.New(p.project), results: results}
	bad := map[Target]bool{}
	for _, r := range results {
		if r.Err == nil {
			continue
		}
		bad[r.Target] = true
		annotateFailure(a, r, dirs)
	}
	var ok []Target
	for _, t := range p.targets {
		if bad[t] {
			out.failed = append(out.failed, t.String())
		} else {
			ok = append(ok, t)
		}
	}
	for _, r := range results {
		if bad[r.Target] {
			continue
		}
		art, err := p.place(r.Out, dirs.dist, p.binaryPath(p.mainOf(r.Binary), r.Target))
		if err != nil {
			return nil, err
		}
		art.Name, art.Kind = r.Binary, manifest.KindBinary
		setPlatform(&art, r.Target)
		out.manifest.Add(art)
	}
	if err := p.archive(ctx, dirs, ok, out.manifest); err != nil {
		return nil, err
	}
	if err := p.checksums(dirs.dist, out.manifest); err != nil {
		return nil, err
	}
	return out, nil
}

func (p *pipeline) mainOf(binary string) mainBuild {
	for _, mb := range p.mains {
		if mb.binary == binary {
			return mb
		}
	}
	return mainBuild{}
}

func setPlatform(a *manifest.Artifact, t Target) {
	a.GOOS, a.GOARCH, a.Variant = t.GOOS, t.GOARCH, t.Variant
}

// place moves a built file from staging to its final path in dist.
func (p *pipeline) place(src, dist, relPath string) (manifest.Artifact, error) {
	dst := filepath.Join(dist, filepath.FromSlash(relPath))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return manifest.Artifact{}, err
	}
	if err := os.Rename(src, dst); err != nil {
		return manifest.Artifact{}, err
	}
	return describe(dist, relPath)
}

// describe hashes a file in dist into an artifact with path and digest.
func describe(dist, relPath string) (manifest.Artifact, error) {
	sum, size, err := manifest.HashFile(filepath.Join(dist, filepath.FromSlash(relPath)))
	if err != nil {
		return manifest.Artifact{}, err
	}
	return manifest.Artifact{Path: relPath, SHA256: sum, Size: size}, nil
}

func annotateFailure(a *gha.Action, r Result, dirs pipelineDirs) {
	if len(r.Diagnostics) == 0 {
		a.Annotate(gha.Annotation{Level: gha.LevelError, Title: "build failed: " + r.Target.String(), Message: r.Err.Error()})
		return
	}
	for _, dg := range r.Diagnostics {
		file := dg.File
		if !filepath.IsAbs(file) {
			file = filepath.Join(dirs.module, filepath.FromSlash(file))
		}
		a.Annotate(gha.Annotation{
			Level: gha.LevelError, File: gha.RelPath(dirs.workspace, file), Line: dg.Line, Col: dg.Col,
			Title: fmt.Sprintf("%s does not compile for %s", r.Binary, r.Target), Message: dg.Message,
		})
	}
}

// archive writes one archive per target with every binary and the extra
// files, in parallel.
func (p *pipeline) archive(ctx context.Context, dirs pipelineDirs, targets []Target, m *manifest.Manifest) error {
	if p.c.Archives == FormatNone {
		return nil
	}
	arts := make([]manifest.Artifact, len(targets))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(max(p.c.Parallelism, 1))
	for i, t := range targets {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var entries []Entry
			for _, mb := range p.mains {
				entries = append(entries, Entry{Name: mb.binary + t.Exe(), Src: filepath.Join(dirs.dist, filepath.FromSlash(p.binaryPath(mb, t))), Exec: true})
			}
			for _, e := range p.extras {
				entries = append(entries, Entry{Name: e.name, Src: filepath.Join(dirs.module, e.rel)})
			}
			format := FormatFor(p.c.Archives, t)
			relPath := p.archivePath(t, format)
			if err := WriteArchive(filepath.Join(dirs.dist, relPath), format, entries, p.project.CommitTime); err != nil {
				return err
			}
			art, err := describe(dirs.dist, relPath)
			if err != nil {
				return err
			}
			art.Name, art.Kind = p.project.Name, manifest.KindArchive
			setPlatform(&art, t)
			arts[i] = art
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	m.Add(arts...)
	return nil
}

// checksums writes the checksums file over the archives (the binaries when
// there are none) and records it.
func (p *pipeline) checksums(dist string, m *manifest.Manifest) error {
	return writeChecksumsFor(dist, p.c.Checksums, p.checksumsPath(), p.project.Name, m)
}

func writeChecksumsFor(dist, algo, relPath, name string, m *manifest.Manifest) error {
	m.Remove(manifest.KindChecksums)
	if algo == ChecksumNone {
		return nil
	}
	subjects := m.ByKind(manifest.KindArchive)
	if len(subjects) == 0 {
		subjects = m.ByKind(manifest.KindBinary)
	}
	if len(subjects) == 0 {
		return nil
	}
	var paths []string
	for _, s := range subjects {
		paths = append(paths, s.Path)
	}
	if err := WriteChecksums(filepath.Join(dist, relPath), dist, algo, paths); err != nil {
		return err
	}
	art, err := describe(dist, relPath)
	if err != nil {
		return err
	}
	art.Name, art.Kind = name, manifest.KindChecksums
	m.Add(art)
	return nil
}

// sameSource reports whether two manifests describe the same source: the
// same commit (the version input may differ), or the same version outside git.
func sameSource(a, b manifest.Project) bool {
	if a.Commit != "" || b.Commit != "" {
		return a.Commit == b.Commit
	}
	return a.Version == b.Version
}

// saveManifest writes dist/manifest.json, keeping what other actions recorded
// for the same commit and replacing what build-matrix owns.
func saveManifest(dist string, m *manifest.Manifest) error {
	file := filepath.Join(dist, manifest.FileName)
	out := m
	if old, err := manifest.Load(file); err == nil && sameSource(old.Project, m.Project) {
		for _, k := range []manifest.Kind{manifest.KindBinary, manifest.KindArchive, manifest.KindChecksums} {
			old.Remove(k)
		}
		old.Project = m.Project
		old.Add(m.Artifacts...)
		out = old
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s exists but cannot be read (remove it or fix it): %w", file, err)
	}
	if err := manifest.Save(file, out); err != nil {
		return err
	}
	*m = *out
	return nil
}
