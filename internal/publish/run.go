package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/oci"
)

// Deps are the publish action's outside world.
type Deps struct {
	Transport http.RoundTripper // registries and the GitHub API; nil: the default transport
	Retry     oci.RetryPolicy   // zero: the defaults (5 tries, 500ms..10s, Retry-After up to 60s)
}

// layoutDir is the OCI image layout inside dist.
const layoutDir = "oci"

// run is one publish run's shared state.
type run struct {
	a      *gha.Action
	c      Config
	d      Deps
	client *oci.Client
	auth   *oci.Auth
}

// Run executes the publish action.
func Run(ctx context.Context, a *gha.Action, d Deps) error {
	c, err := ParseConfig(a)
	if err != nil {
		return err
	}
	r := &run{a: a, c: c, d: d}
	if err := r.newClient(); err != nil {
		return err
	}
	if c.Mode == ModeMerge {
		return r.merge(ctx)
	}
	return r.publish(ctx)
}

func (r *run) newClient() error {
	dockerDir := r.a.Getenv("DOCKER_CONFIG")
	if dockerDir == "" {
		if home := r.a.Getenv("HOME"); home != "" {
			dockerDir = filepath.Join(home, ".docker")
		}
	}
	var regs []string
	for _, repo := range append(slices.Clone(r.c.Repositories), r.c.ArtifactsRepo) {
		if repo != "" {
			regs = append(regs, oci.RegistryOf(repo))
		}
	}
	token := r.a.Getenv("GITHUB_TOKEN")
	r.a.Mask(token)
	auth, err := oci.LoadAuth(oci.AuthConfig{
		Explicit:           oci.Credentials{Username: r.c.Username, Password: r.c.Password},
		ExplicitRegistries: regs,
		DockerConfigDir:    dockerDir,
		GitHubToken:        token,
		GitHubActor:        r.a.Getenv("GITHUB_ACTOR"),
		HelperPath:         r.a.Getenv("PATH"),
	})
	if err != nil {
		return gha.Usagef("", "DOCKER_CONFIG: %v", err)
	}
	r.auth = auth
	r.client = oci.NewClient(oci.ClientOptions{Auth: auth, Transport: r.d.Transport, Jobs: r.c.Jobs, Retry: r.d.Retry, UserAgent: "slipway-publish"})
	return nil
}

// registryError turns refused credentials into a usage error naming the
// input that supplies them.
func (r *run) registryError(input string, err error) error {
	if errors.Is(err, oci.ErrUnauthorized) {
		if r.c.Username != "" {
			input = "password"
		}
		return gha.Usagef(input, "%v: check the username/password inputs, the docker config (DOCKER_CONFIG) or GITHUB_TOKEN's packages permission", err)
	}
	return err
}

func (r *run) loadDist() (*manifest.Manifest, error) {
	p := filepath.Join(r.c.Dist, manifest.FileName)
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		return nil, gha.Usagef("dist", "%s has no %s: run build-matrix first, or point dist at its output", gha.RelPath(r.c.Workspace, r.c.Dist), manifest.FileName)
	}
	m, err := manifest.Load(p)
	if err != nil {
		return nil, gha.Usagef("dist", "%v", err)
	}
	return m, nil
}

// publish is build, push and push-by-digest.
func (r *run) publish(ctx context.Context) error {
	a, c := r.a, r.c
	m, err := r.loadDist()
	if err != nil {
		return err
	}
	binaries, targets, err := selectBinaries(c, m)
	if err != nil {
		return err
	}
	end := a.Group("Checking dist")
	err = m.Verify(ctx, c.Dist)
	end()
	if err != nil {
		return fmt.Errorf("dist does not match its manifest; rebuild or re-download it: %w", err)
	}
	created, err := createdTime(a, m)
	if err != nil {
		return err
	}
	for _, e := range c.ExtraFiles {
		if st, err := os.Stat(e.Source); err != nil || !st.Mode().IsRegular() {
			return gha.Usagef("extra-files", "%s is not a readable file", gha.RelPath(c.Workspace, e.Source))
		}
	}

	end = a.Group("Resolving the base image")
	base, err := r.client.ResolveBase(ctx, c.Base)
	end()
	if errors.Is(err, oci.ErrNotFound) {
		return gha.Usagef("base", "%v", err)
	} else if err != nil {
		return r.registryError("base", fmt.Errorf("resolving base %s: %w", c.Base, err))
	}
	a.Infof("base %s", base.PinnedRef())

	end = a.Group(fmt.Sprintf("Building %d images", len(targets)))
	md := metadata(a, m, created)
	images, recs, err := buildImages(ctx, c, base, binaries, targets, md, created)
	if err != nil {
		end()
		return err
	}
	indexAnns := mergeMaps(md, c.Annotations)
	if !base.IsScratch() {
		indexAnns[oci.AnnotationBaseName] = base.Name
		indexAnns[oci.AnnotationBaseDigest] = base.Digest
	}
	idx, err := oci.NewIndex(images, indexAnns)
	if err != nil {
		end()
		return err
	}
	for _, img := range images {
		a.Infof("%s %s", img.Platform, img.Digest)
	}
	a.Infof("index %s", idx.Digest)
	// Everything that can be a usage error (release settings, credentials
	// seen while listing tags) is checked before anything is written.
	if c.Release {
		if _, err := r.releaseClient(m); err != nil {
			end()
			return err
		}
	}
	var tags []string
	if c.Mode == ModePush {
		if tags, err = r.tagsFor(ctx, m); err != nil {
			end()
			return err
		}
	}
	refName := refNameFor(m)
	if err := oci.WriteLayout(filepath.Join(c.Dist, layoutDir), idx, refName); err != nil {
		end()
		return fmt.Errorf("writing the OCI layout: %w", err)
	}
	end()

	var published []PublishedRecord
	switch c.Mode {
	case ModePushByDigest:
		for _, repo := range c.Repositories {
			end := a.Group("Pushing by digest to " + repo)
			err := r.client.PushImages(ctx, repo, images)
			end()
			if err != nil {
				return r.registryError("repository", err)
			}
			for i := range recs {
				recs[i].Repositories = append(recs[i].Repositories, repo)
				published = append(published, PublishedRecord{Ref: repo + "@" + recs[i].Digest, Digest: recs[i].Digest, Kind: PublishedImage})
			}
		}
	case ModePush:
		if published, err = r.pushIndex(ctx, idx, tags); err != nil {
			return err
		}
		for i := range recs {
			recs[i].Repositories = slices.Clone(c.Repositories)
		}
	}
	if c.ArtifactsRepo != "" && c.Mode != ModeBuild {
		pub, err := r.pushArtifact(ctx, m, tags)
		if err != nil {
			return err
		}
		published = append(published, pub...)
	}
	if c.Release {
		pub, err := r.uploadRelease(ctx, m)
		if err != nil {
			return err
		}
		published = append(published, pub...)
	}

	ir := &IndexRecord{Digest: idx.Digest, MediaType: idx.MediaType, Size: idx.Size, Layout: layoutDir, RefName: refName, Annotations: indexAnns}
	for _, d := range idx.Manifests {
		ir.Platforms = append(ir.Platforms, d.Platform.String())
	}
	return r.finish(m, recs, ir, published, tags, true)
}

func mergeMaps(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// refNameFor is the layout's ref name: the version.
func refNameFor(m *manifest.Manifest) string {
	if v := m.Project.Version; v != "" && oci.CheckTag(strings.ReplaceAll(v, "+", "-")) == nil {
		return strings.ReplaceAll(v, "+", "-")
	}
	return "latest"
}

// tagsFor computes the tags: the strategy's (seeing the tags the
// repositories already hold) plus the tags input.
func (r *run) tagsFor(ctx context.Context, m *manifest.Manifest) ([]string, error) {
	var tags []string
	if r.c.TagStrategy == oci.StrategySemver {
		ref := m.Project.Ref
		if ref == "" {
			ref = r.a.GitHub().Ref
		}
		var existing []string
		if oci.IsRelease(m.Project.Version) {
			for _, repo := range r.c.Repositories {
				ts, err := r.client.Tags(ctx, repo)
				if err != nil {
					return nil, r.registryError("repository", err)
				}
				existing = append(existing, ts...)
			}
		}
		tags = oci.SemverTags(oci.TagInput{Version: m.Project.Version, Commit: m.Project.Commit, Ref: ref, Existing: existing})
	}
	for _, t := range r.c.Tags {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	if len(tags) == 0 {
		r.a.Warnf("no tags: the index is pushed by digest only (set tags, or tag-strategy: semver with a version or commit)")
	}
	return tags, nil
}

// pushIndex pushes the index to every repository, then tags it in every
// repository: no tag moves before every repository has every manifest.
func (r *run) pushIndex(ctx context.Context, idx *oci.Index, tags []string) ([]PublishedRecord, error) {
	var pub []PublishedRecord
	for _, repo := range r.c.Repositories {
		end := r.a.Group("Pushing to " + repo)
		err := r.client.PushIndex(ctx, repo, idx)
		end()
		if err != nil {
			return nil, r.registryError("repository", err)
		}
		pub = append(pub, PublishedRecord{Ref: repo + "@" + idx.Digest, Digest: idx.Digest, Kind: PublishedIndex})
	}
	for _, repo := range r.c.Repositories {
		end := r.a.Group("Tagging " + repo)
		err := r.client.Tag(ctx, repo, idx, tags)
		end()
		if err != nil {
			return nil, r.registryError("repository", err)
		}
		for _, t := range tags {
			pub = append(pub, PublishedRecord{Ref: repo + ":" + t, Digest: idx.Digest, Kind: PublishedIndex})
		}
	}
	st := r.client.Stats()
	r.a.Infof("pushed: %d blobs uploaded (%d bytes), %d already there, %d manifests written, %d retries",
		st.BlobsUploaded.Load(), st.BytesUploaded.Load(), st.BlobsSkipped.Load(), st.ManifestsPut.Load(), st.Retries.Load())
	return pub, nil
}

// finish saves the manifest sections and sets outputs and the summary.
func (r *run) finish(m *manifest.Manifest, recs []ImageRecord, ir *IndexRecord, published []PublishedRecord, tags []string, layout bool) error {
	a, c := r.a, r.c
	if err := setSections(m, recs, ir, published); err != nil {
		return err
	}
	m.Remove(KindOCILayout)
	if layout {
		p := filepath.Join(c.Dist, layoutDir, "index.json")
		sum, size, err := manifest.HashFile(p)
		if err != nil {
			return err
		}
		m.Add(manifest.Artifact{Name: m.Project.Name, Kind: KindOCILayout, Path: layoutDir + "/index.json", SHA256: sum, Size: size})
	}
	mp := filepath.Join(c.Dist, manifest.FileName)
	if err := manifest.Save(mp, m); err != nil {
		return err
	}
	type outImage struct {
		Platform string `json:"platform"`
		Digest   string `json:"digest"`
	}
	outImages := []outImage{}
	for _, rec := range recs {
		outImages = append(outImages, outImage{rec.Platform, rec.Digest})
	}
	refs := []string{}
	for _, p := range published {
		switch {
		case p.Kind == PublishedReleaseAsset:
		case strings.Contains(p.Ref, "@"):
			refs = append(refs, p.Ref)
		default:
			refs = append(refs, p.Ref+"@"+p.Digest)
		}
	}
	if tags == nil {
		tags = []string{}
	}
	jsonOut := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	outs := [][2]string{
		{"images", jsonOut(outImages)},
		{"tags", jsonOut(tags)},
		{"refs", jsonOut(refs)},
		{"manifest", gha.RelPath(c.Workspace, mp)},
	}
	if ir != nil {
		outs = append(outs, [2]string{"digest", ir.Digest})
	}
	if layout {
		outs = append(outs, [2]string{"layout", gha.RelPath(c.Workspace, filepath.Join(c.Dist, layoutDir))})
	}
	for _, o := range outs {
		if err := a.SetOutput(o[0], o[1]); err != nil {
			return err
		}
	}
	st := r.client.Stats()
	return a.Summary(Summary(c.Mode, m.Project, recs, ir, published, SummaryStats{
		Uploaded: st.BlobsUploaded.Load(), Skipped: st.BlobsSkipped.Load(), Bytes: st.BytesUploaded.Load(), Retries: st.Retries.Load(),
	}))
}
