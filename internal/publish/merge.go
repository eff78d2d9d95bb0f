package publish

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/oci"
)

// shard is one push-by-digest manifest given to merge.
type shard struct {
	dir    string // its dist directory
	m      *manifest.Manifest
	images []ImageRecord
}

// loadShards expands the inputs (directories, manifest files, globs).
func (r *run) loadShards() ([]shard, error) {
	var files []string
	for _, in := range r.c.Inputs {
		matches, err := filepath.Glob(in)
		if err != nil || len(matches) == 0 {
			return nil, gha.Usagef("inputs", "%s matches nothing", gha.RelPath(r.c.Workspace, in))
		}
		for _, p := range matches {
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				p = filepath.Join(p, manifest.FileName)
			}
			if !slices.Contains(files, p) {
				files = append(files, p)
			}
		}
	}
	var shards []shard
	for _, f := range files {
		m, err := manifest.Load(f)
		if err != nil {
			return nil, gha.Usagef("inputs", "%v", err)
		}
		imgs, err := ReadImages(m)
		if err != nil {
			return nil, gha.Usagef("inputs", "%s: %v", gha.RelPath(r.c.Workspace, f), err)
		}
		if len(imgs) == 0 {
			return nil, gha.Usagef("inputs", "%s records no images: run publish with mode push-by-digest in that shard first", gha.RelPath(r.c.Workspace, f))
		}
		if len(shards) > 0 && m.Project.Commit != shards[0].m.Project.Commit {
			return nil, gha.Usagef("inputs", "%s is commit %s but %s is commit %s: merge images of one commit", gha.RelPath(r.c.Workspace, f), m.Project.Commit, gha.RelPath(r.c.Workspace, filepath.Join(shards[0].dir, manifest.FileName)), shards[0].m.Project.Commit)
		}
		shards = append(shards, shard{dir: filepath.Dir(f), m: m, images: imgs})
	}
	return shards, nil
}

// merge builds the index over the images the shards pushed by digest,
// checks that every repository holds every platform image, pushes the index
// and then moves the tags.
func (r *run) merge(ctx context.Context) error {
	a, c := r.a, r.c
	shards, err := r.loadShards()
	if err != nil {
		return err
	}
	var recs []ImageRecord
	var descs []oci.Descriptor
	from := map[string]string{} // platform → shard dir
	for _, s := range shards {
		for _, img := range s.images {
			p, err := oci.ParsePlatform(img.Platform)
			if err != nil {
				return gha.Usagef("inputs", "%s: image platform %v", gha.RelPath(c.Workspace, s.dir), err)
			}
			if prev, ok := from[img.Platform]; ok {
				return gha.Usagef("inputs", "%s is in both %s and %s: each platform comes from one shard", img.Platform, gha.RelPath(c.Workspace, prev), gha.RelPath(c.Workspace, s.dir))
			}
			from[img.Platform] = s.dir
			recs = append(recs, img)
			descs = append(descs, oci.Descriptor{MediaType: img.MediaType, Digest: img.Digest, Size: img.Size, Platform: p})
		}
	}
	if len(c.Platforms) > 0 {
		for _, p := range c.Platforms {
			if _, ok := from[p.String()]; !ok {
				return gha.Usagef("inputs", "no shard pushed a %s image (they have %s)", p, strings.Join(sortedKeys(from), ", "))
			}
		}
	}
	m := shards[0].m
	created, err := createdTime(a, m)
	if err != nil {
		return err
	}
	anns := mergeMaps(metadata(a, m, created), c.Annotations)
	bases := map[string]bool{}
	for _, rec := range recs {
		bases[rec.Base] = true
	}
	if len(bases) == 1 && recs[0].Base != oci.Scratch {
		name, digest, _ := strings.Cut(recs[0].Base, "@")
		anns[oci.AnnotationBaseName], anns[oci.AnnotationBaseDigest] = name, digest
	}
	idx, err := oci.IndexOf(descs, anns)
	if err != nil {
		return gha.Usagef("inputs", "%v", err)
	}

	end := a.Group("Checking the pushed images")
	for _, repo := range c.Repositories {
		if err := r.client.CheckManifests(ctx, repo, descs); err != nil {
			end()
			if errors.Is(err, oci.ErrNotFound) {
				return gha.Usagef("inputs", "%v: push-by-digest did not push it to %s; run it for that shard with the same repository inputs", err, repo)
			}
			return r.registryError("repository", err)
		}
	}
	end()

	if c.Release {
		if _, err := r.releaseClient(m); err != nil {
			return err
		}
	}
	tags, err := r.tagsFor(ctx, m)
	if err != nil {
		return err
	}
	layout := r.mergeLayout(shards, recs, anns, idx.Digest, refNameFor(m))
	published, err := r.pushIndex(ctx, idx, tags)
	if err != nil {
		return err
	}
	out, err := r.mergedManifest(shards)
	if err != nil {
		return err
	}
	for i := range recs {
		recs[i].Repositories = slices.Clone(c.Repositories)
	}
	ir := &IndexRecord{Digest: idx.Digest, MediaType: idx.MediaType, Size: idx.Size, Annotations: anns}
	if layout {
		ir.Layout, ir.RefName = layoutDir, refNameFor(m)
	}
	for _, d := range idx.Manifests {
		ir.Platforms = append(ir.Platforms, d.Platform.String())
	}
	if c.Release {
		pub, err := r.uploadRelease(ctx, out)
		if err != nil {
			return err
		}
		published = append(published, pub...)
	}
	return r.finish(out, recs, ir, published, tags, layout)
}

// mergeLayout writes dist/oci from the shards' layouts when every shard
// uploaded one; the index must come out with the digest pushed.
func (r *run) mergeLayout(shards []shard, recs []ImageRecord, anns map[string]string, digest, refName string) bool {
	var images []*oci.Image
	for _, s := range shards {
		for _, rec := range s.images {
			img, err := oci.LayoutImage(filepath.Join(s.dir, layoutDir), rec.Digest)
			if err != nil {
				r.a.Infof("no merged OCI layout: %v", err)
				return false
			}
			images = append(images, img)
		}
	}
	idx, err := oci.NewIndex(images, anns)
	if err == nil && idx.Digest != digest {
		err = fmt.Errorf("the shards' layouts give index %s, the pushed images %s", idx.Digest, digest)
	}
	if err == nil {
		err = oci.WriteLayout(filepath.Join(r.c.Dist, layoutDir), idx, refName)
	}
	if err != nil {
		r.a.Warnf("no merged OCI layout: %v", err)
		return false
	}
	return true
}

// mergedManifest is dist/manifest.json when the fan-in job has one (from
// build-matrix merge), else a manifest of the first shard's project.
func (r *run) mergedManifest(shards []shard) (*manifest.Manifest, error) {
	p := filepath.Join(r.c.Dist, manifest.FileName)
	if _, err := os.Stat(p); err == nil {
		m, err := manifest.Load(p)
		if err != nil {
			return nil, gha.Usagef("dist", "%v", err)
		}
		return m, nil
	}
	if err := os.MkdirAll(r.c.Dist, 0o755); err != nil {
		return nil, err
	}
	return manifest.New(shards[0].m.Project), nil
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
