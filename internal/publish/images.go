package publish

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/oci"
)

// target is one platform's image: its binaries, the first one primary.
type target struct {
	arts     []manifest.Artifact
	platform oci.Platform
}

// primary is the binary the entrypoint runs.
func (t target) primary() manifest.Artifact { return t.arts[0] }

// selectBinaries picks the binaries to package: the linux builds of the
// first chosen binary, limited to the platforms input when given, each
// with the same platform's build of every other chosen binary.
func selectBinaries(c Config, m *manifest.Manifest) ([]string, []target, error) {
	bins := m.ByKind(manifest.KindBinary)
	var names []string
	for _, b := range bins {
		if !slices.Contains(names, b.Name) {
			names = append(names, b.Name)
		}
	}
	chosen := c.Binaries
	if len(chosen) == 0 {
		binary := m.Project.Name
		if !slices.Contains(names, binary) && len(names) == 1 {
			binary = names[0]
		}
		if !slices.Contains(names, binary) {
			return nil, nil, gha.Usagef("binary", "the manifest has binaries %s but none named %s: set binary", strings.Join(names, ", "), binary)
		}
		chosen = []string{binary}
	}
	for _, b := range chosen {
		if !slices.Contains(names, b) {
			return nil, nil, gha.Usagef("binary", "%q is not a binary in the manifest (it has %s)", b, strings.Join(names, ", "))
		}
	}
	binary := chosen[0]
	var ts []target
	var others []string
	for _, b := range bins {
		if b.Name != binary {
			continue
		}
		if b.GOOS != "linux" {
			others = append(others, b.Platform())
			continue
		}
		ts = append(ts, target{arts: []manifest.Artifact{b}, platform: oci.PlatformFromGo(b.GOOS, b.GOARCH, b.Variant)})
	}
	if len(ts) == 0 {
		return nil, nil, gha.Usagef("dist", "the manifest lists no linux binary of %s (it has %s): build linux targets with build-matrix first", binary, orNone(others))
	}
	if len(c.Platforms) > 0 {
		var picked []target
		for _, p := range c.Platforms {
			i := slices.IndexFunc(ts, func(t target) bool { return t.platform == p })
			if i < 0 {
				var have []string
				for _, t := range ts {
					have = append(have, t.platform.String())
				}
				return nil, nil, gha.Usagef("platforms", "%s: the manifest has no %s binary for it (it has %s)", p, binary, strings.Join(have, ", "))
			}
			picked = append(picked, ts[i])
		}
		ts = picked
	}
	seen := map[oci.Platform]string{}
	for _, t := range ts {
		if prev, ok := seen[t.platform]; ok {
			return nil, nil, gha.Usagef("platforms", "%s and %s are both OCI platform %s: pick one with platforms", prev, t.primary().Platform(), t.platform)
		}
		seen[t.platform] = t.primary().Platform()
	}
	byPlatform := map[[2]string]manifest.Artifact{} // {name, goos/goarch[/variant]}
	for _, b := range bins {
		byPlatform[[2]string{b.Name, b.Platform()}] = b
	}
	for i := range ts {
		for _, name := range chosen[1:] {
			b, ok := byPlatform[[2]string{name, ts[i].primary().Platform()}]
			if !ok {
				return nil, nil, gha.Usagef("binary", "%s has no %s build to go beside %s (it has %s)", name, ts[i].primary().Platform(), binary, orNone(platformsOf(bins, name)))
			}
			ts[i].arts = append(ts[i].arts, b)
		}
	}
	return chosen, ts, nil
}

// platformsOf lists the platforms the binary name was built for.
func platformsOf(bins []manifest.Artifact, name string) []string {
	var out []string
	for _, b := range bins {
		if b.Name == name {
			out = append(out, b.Platform())
		}
	}
	return out
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// metadata is the OCI annotations and labels filled from the manifest and
// the git context.
func metadata(a *gha.Action, m *manifest.Manifest, created time.Time) map[string]string {
	p := m.Project
	md := map[string]string{
		oci.AnnotationCreated:  created.UTC().Format(time.RFC3339),
		oci.AnnotationTitle:    p.Name,
		oci.AnnotationVersion:  p.Version,
		oci.AnnotationRevision: p.Commit,
	}
	gh := a.GitHub()
	source := ""
	switch {
	case gh.Repository != "":
		server := gh.ServerURL
		if server == "" {
			server = "https://github.com"
		}
		source = strings.TrimSuffix(server, "/") + "/" + gh.Repository
	case strings.HasPrefix(p.Module, "github.com/"):
		parts := strings.Split(p.Module, "/")
		if len(parts) >= 3 {
			source = "https://" + strings.Join(parts[:3], "/")
		}
	}
	if source != "" {
		md[oci.AnnotationSource] = source
		md[oci.AnnotationURL] = source
	}
	for k, v := range md {
		if v == "" {
			delete(md, k)
		}
	}
	return md
}

// createdTime is SOURCE_DATE_EPOCH when set, else the commit time.
func createdTime(a *gha.Action, m *manifest.Manifest) (time.Time, error) {
	if s := a.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		var sec int64
		if _, err := fmt.Sscanf(s, "%d", &sec); err != nil || fmt.Sprint(sec) != s {
			return time.Time{}, gha.Usagef("", "SOURCE_DATE_EPOCH=%q is not a number of seconds", s)
		}
		return time.Unix(sec, 0).UTC(), nil
	}
	if m.Project.CommitTime.IsZero() {
		return time.Unix(0, 0).UTC(), nil
	}
	return m.Project.CommitTime.UTC(), nil
}

// buildImages builds one image per target on base, jobs at a time.
func buildImages(ctx context.Context, c Config, base *oci.Base, binaries []string, ts []target, md map[string]string, created time.Time) ([]*oci.Image, []ImageRecord, error) {
	// Where each binary goes: path for a single one, else /usr/local/bin/<name>.
	imgPath := func(name string) string {
		if c.Path != "" {
			return c.Path
		}
		return "/usr/local/bin/" + name
	}
	entry := c.Entrypoint
	if len(entry) == 0 {
		entry = []string{imgPath(binaries[0])}
	}
	labels := maps.Clone(md)
	maps.Copy(labels, c.Labels)
	anns := maps.Clone(md)
	maps.Copy(anns, c.Annotations)
	images := make([]*oci.Image, len(ts))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(c.Jobs)
	for i, t := range ts {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var files []oci.LayerFile
			var copied []string
			for _, art := range t.arts {
				files = append(files, oci.LayerFile{Path: imgPath(art.Name), Source: filepath.Join(c.Dist, filepath.FromSlash(art.Path)), Mode: 0o755})
				copied = append(copied, art.Path+" "+imgPath(art.Name))
			}
			for _, e := range c.ExtraFiles {
				files = append(files, oci.LayerFile{Path: e.Path, Source: e.Source, Mode: 0o644})
			}
			img, err := oci.BuildImage(base, oci.ImageSpec{
				Platform: t.platform,
				Files:    files,
				Layer:    oci.LayerOptions{ModTime: created, UID: c.UID, GID: c.GID},
				Config: oci.ImageConfig{
					Entrypoint: entry, User: c.User, Env: c.Env, WorkDir: c.WorkDir, Ports: c.Ports,
					Labels: labels, Annotations: anns, Created: created,
					CreatedBy: "slipway publish: COPY " + strings.Join(copied, ", "),
				},
			})
			if errors.Is(err, oci.ErrNoPlatform) {
				return gha.Usagef("base", "%v: pick a base with every platform you built, or limit platforms", err)
			}
			if err != nil {
				return fmt.Errorf("building the %s image: %w", t.platform, err)
			}
			images[i] = img
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	recs := make([]ImageRecord, len(ts))
	for i, img := range images {
		t := ts[i]
		p := t.primary()
		recs[i] = ImageRecord{
			Platform: img.Platform.String(), Target: p.Platform(), Binary: p.Path, BinarySHA256: p.SHA256,
			Path: imgPath(p.Name), Digest: img.Digest, MediaType: img.MediaType, Size: img.Size,
			Config: img.ConfigDigest, Layer: img.LayerDigest, Base: base.PinnedRef(), BaseDigest: img.BaseDigest,
		}
		if len(t.arts) > 1 {
			for _, art := range t.arts {
				recs[i].Binaries = append(recs[i].Binaries, ImageBinary{Binary: art.Path, BinarySHA256: art.SHA256, Path: imgPath(art.Name)})
			}
		}
	}
	return images, recs, nil
}
