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

// target is one binary to package.
type target struct {
	art      manifest.Artifact
	platform oci.Platform
}

// selectBinaries picks the binaries to package: the chosen binary's linux
// builds, limited to the platforms input when given.
func selectBinaries(c Config, m *manifest.Manifest) (string, []target, error) {
	bins := m.ByKind(manifest.KindBinary)
	var names []string
	for _, b := range bins {
		if !slices.Contains(names, b.Name) {
			names = append(names, b.Name)
		}
	}
	binary := c.Binary
	if binary == "" {
		binary = m.Project.Name
		if !slices.Contains(names, binary) && len(names) == 1 {
			binary = names[0]
		}
	}
	if !slices.Contains(names, binary) {
		if c.Binary == "" {
			return "", nil, gha.Usagef("binary", "the manifest has binaries %s but none named %s: set binary", strings.Join(names, ", "), binary)
		}
		return "", nil, gha.Usagef("binary", "%q is not a binary in the manifest (it has %s)", binary, strings.Join(names, ", "))
	}
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
		ts = append(ts, target{art: b, platform: oci.PlatformFromGo(b.GOOS, b.GOARCH, b.Variant)})
	}
	if len(ts) == 0 {
		return "", nil, gha.Usagef("dist", "the manifest lists no linux binary of %s (it has %s): build linux targets with build-matrix first", binary, orNone(others))
	}
	if len(c.Platforms) > 0 {
		var chosen []target
		for _, p := range c.Platforms {
			i := slices.IndexFunc(ts, func(t target) bool { return t.platform == p })
			if i < 0 {
				var have []string
				for _, t := range ts {
					have = append(have, t.platform.String())
				}
				return "", nil, gha.Usagef("platforms", "%s: the manifest has no %s binary for it (it has %s)", p, binary, strings.Join(have, ", "))
			}
			chosen = append(chosen, ts[i])
		}
		ts = chosen
	}
	seen := map[oci.Platform]string{}
	for _, t := range ts {
		if prev, ok := seen[t.platform]; ok {
			return "", nil, gha.Usagef("platforms", "%s and %s are both OCI platform %s: pick one with platforms", prev, t.art.Platform(), t.platform)
		}
		seen[t.platform] = t.art.Platform()
	}
	return binary, ts, nil
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
func buildImages(ctx context.Context, c Config, base *oci.Base, binary string, ts []target, md map[string]string, created time.Time) ([]*oci.Image, []ImageRecord, error) {
	imgPath := c.Path
	if imgPath == "" {
		imgPath = "/usr/local/bin/" + binary
	}
	entry := c.Entrypoint
	if len(entry) == 0 {
		entry = []string{imgPath}
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
			files := []oci.LayerFile{{Path: imgPath, Source: filepath.Join(c.Dist, filepath.FromSlash(t.art.Path)), Mode: 0o755}}
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
					CreatedBy: "slipway publish: COPY " + t.art.Path + " " + imgPath,
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
		recs[i] = ImageRecord{
			Platform: img.Platform.String(), Target: t.art.Platform(), Binary: t.art.Path, BinarySHA256: t.art.SHA256,
			Path: imgPath, Digest: img.Digest, MediaType: img.MediaType, Size: img.Size,
			Config: img.ConfigDigest, Layer: img.LayerDigest, Base: base.PinnedRef(), BaseDigest: img.BaseDigest,
		}
	}
	return images, recs, nil
}
