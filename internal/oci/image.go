package oci

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Scratch is the base name meaning "no base image".
const Scratch = "scratch"

// OCI annotation keys (image-spec annotations.md).
const (
	AnnotationCreated     = "org.opencontainers.image.created"
	AnnotationSource      = "org.opencontainers.image.source"
	AnnotationRevision    = "org.opencontainers.image.revision"
	AnnotationVersion     = "org.opencontainers.image.version"
	AnnotationLicenses    = "org.opencontainers.image.licenses"
	AnnotationTitle       = "org.opencontainers.image.title"
	AnnotationDescription = "org.opencontainers.image.description"
	AnnotationURL         = "org.opencontainers.image.url"
	AnnotationRefName     = "org.opencontainers.image.ref.name"
	AnnotationBaseName    = "org.opencontainers.image.base.name"
	AnnotationBaseDigest  = "org.opencontainers.image.base.digest"
)

// Errors a caller tells apart with errors.Is.
var (
	// ErrNotFound marks a reference (base image, manifest) the registry does not have.
	ErrNotFound = errors.New("not found")
	// ErrNoPlatform marks a base image that has no image for a platform.
	ErrNoPlatform = errors.New("platform missing from base image")
	// ErrUnauthorized marks a registry that refused the credentials (401/403).
	ErrUnauthorized = errors.New("registry refused the credentials")
)

// Base is a base image resolved to a digest: scratch, one image, or an
// index with an image per platform.
type Base struct {
	Ref    string // as given: "scratch" or a reference
	Name   string // the fully qualified repository, "" for scratch
	Digest string // what Ref resolved to (an index or a manifest), "" for scratch

	index v1.ImageIndex
	image v1.Image
}

// IsScratch reports whether the base is empty.
func (b *Base) IsScratch() bool { return b.Ref == Scratch }

// PinnedRef returns name@digest, or "scratch".
func (b *Base) PinnedRef() string {
	if b.IsScratch() {
		return Scratch
	}
	return b.Name + "@" + b.Digest
}

// Platforms lists the platforms the base has images for (none for scratch
// and for a single image without a platform).
func (b *Base) Platforms() ([]Platform, error) {
	if b.index == nil {
		if b.image == nil {
			return nil, nil
		}
		cf, err := b.image.ConfigFile()
		if err != nil {
			return nil, err
		}
		return []Platform{{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant}}, nil
	}
	im, err := b.index.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []Platform
	for _, d := range im.Manifests {
		if d.Platform != nil && d.Platform.OS != "unknown" {
			out = append(out, platformOf(d.Platform))
		}
	}
	return out, nil
}

// forPlatform returns the base image for p and its manifest digest ("" for
// scratch). A single-image base must declare p in its config.
func (b *Base) forPlatform(p Platform) (v1.Image, string, error) {
	if b.IsScratch() {
		return empty.Image, "", nil
	}
	if b.index == nil {
		cf, err := b.image.ConfigFile()
		if err != nil {
			return nil, "", fmt.Errorf("reading the config of %s: %w", b.Ref, err)
		}
		have := Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant}
		if !p.matches(have) {
			return nil, "", fmt.Errorf("%s is a single %s image, not %s: %w", b.Ref, have, p, ErrNoPlatform)
		}
		return b.image, b.Digest, nil
	}
	im, err := b.index.IndexManifest()
	if err != nil {
		return nil, "", fmt.Errorf("reading the index of %s: %w", b.Ref, err)
	}
	var have []string
	for _, d := range im.Manifests {
		if d.Platform == nil {
			continue
		}
		if p.matches(platformOf(d.Platform)) && (d.MediaType.IsImage() || d.MediaType == "") {
			img, err := b.index.Image(d.Digest)
			if err != nil {
				return nil, "", fmt.Errorf("reading %s@%s (%s): %w", b.Name, d.Digest, p, err)
			}
			return img, d.Digest.String(), nil
		}
		have = append(have, platformOf(d.Platform).String())
	}
	return nil, "", fmt.Errorf("%s has no %s image (it has %s): %w", b.Ref, p, strings.Join(have, ", "), ErrNoPlatform)
}

// ImageConfig is what an image sets on top of its base's config.
type ImageConfig struct {
	Entrypoint  []string
	Cmd         []string // nil keeps none: the base's Cmd is cleared when Entrypoint is set
	User        string   // "" keeps the base's user, or DefaultUID:DefaultGID on scratch
	Env         []string // KEY=VALUE, appended to (and overriding) the base's
	WorkDir     string
	Ports       []string // 8080, 8080/tcp, 53/udp
	Labels      map[string]string
	Annotations map[string]string // on the image manifest
	Created     time.Time         // the commit time
	CreatedBy   string            // the history entry of the binary layer
}

// ImageSpec is one platform image to build.
type ImageSpec struct {
	Platform Platform
	Files    []LayerFile
	Layer    LayerOptions
	Config   ImageConfig
}

// Image is a built (or read back) platform image.
type Image struct {
	Platform     Platform
	Digest       string // manifest digest
	MediaType    string
	Size         int64 // manifest size
	ConfigDigest string
	LayerDigest  string // the binary layer ("" for a read-back image)
	BaseDigest   string // the base image's manifest digest, "" for scratch

	img v1.Image
}

// CheckPort reports whether s is a port spec: 1-65535 with an optional
// /tcp, /udp or /sctp.
func CheckPort(s string) (string, error) {
	num, proto, ok := strings.Cut(s, "/")
	if !ok {
		proto = "tcp"
	}
	var n int
	if _, err := fmt.Sscanf(num, "%d", &n); err != nil || fmt.Sprint(n) != num || n < 1 || n > 65535 {
		return "", fmt.Errorf("%q is not a port: give 1-65535 with an optional /tcp, /udp or /sctp", s)
	}
	if proto != "tcp" && proto != "udp" && proto != "sctp" {
		return "", fmt.Errorf("%q: protocol %q is not tcp, udp or sctp", s, proto)
	}
	return num + "/" + proto, nil
}

// BuildImage puts the spec's files as one layer on the base's image for the
// spec's platform and sets the config. The result depends only on the inputs
// (Created included), never on the clock.
func BuildImage(base *Base, spec ImageSpec) (*Image, error) {
	baseImg, baseDigest, err := base.forPlatform(spec.Platform)
	if err != nil {
		return nil, err
	}
	layer, err := newLayer(spec.Files, spec.Layer)
	if err != nil {
		return nil, err
	}
	c := spec.Config
	img, err := mutate.Append(baseImg, mutate.Addendum{
		Layer:     layer,
		MediaType: types.OCILayer,
		History:   v1.History{Created: v1.Time{Time: c.Created.UTC()}, CreatedBy: c.CreatedBy, Comment: "slipway publish"},
	})
	if err != nil {
		return nil, fmt.Errorf("adding the layer: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the base config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.Created = v1.Time{Time: c.Created.UTC()}
	cf.OS, cf.Architecture, cf.Variant = spec.Platform.OS, spec.Platform.Architecture, spec.Platform.Variant
	cf.Author = ""
	cfg := cf.Config
	if len(c.Entrypoint) > 0 {
		cfg.Entrypoint = c.Entrypoint
		cfg.Cmd = c.Cmd
	} else if c.Cmd != nil {
		cfg.Cmd = c.Cmd
	}
	switch {
	case c.User != "":
		cfg.User = c.User
	case base.IsScratch() || cfg.User == "":
		cfg.User = fmt.Sprintf("%d:%d", DefaultUID, DefaultGID)
	}
	cfg.Env = mergeEnv(cfg.Env, c.Env)
	if base.IsScratch() && !hasEnv(cfg.Env, "PATH") {
		cfg.Env = append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, cfg.Env...)
	}
	if c.WorkDir != "" {
		cfg.WorkingDir = c.WorkDir
	}
	if len(c.Ports) > 0 {
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range c.Ports {
			norm, err := CheckPort(p)
			if err != nil {
				return nil, err
			}
			cfg.ExposedPorts[norm] = struct{}{}
		}
	}
	if len(c.Labels) > 0 {
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		maps.Copy(cfg.Labels, c.Labels)
	}
	cf.Config = cfg
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("setting the config: %w", err)
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	anns := maps.Clone(c.Annotations)
	if !base.IsScratch() {
		if anns == nil {
			anns = map[string]string{}
		}
		anns[AnnotationBaseName] = base.Name
		anns[AnnotationBaseDigest] = baseDigest
	}
	if len(anns) > 0 {
		img = mutate.Annotations(img, anns).(v1.Image)
	}
	out, err := describeImage(img, spec.Platform)
	if err != nil {
		return nil, err
	}
	if out.LayerDigest, err = digestString(layer.Digest()); err != nil {
		return nil, err
	}
	out.BaseDigest = baseDigest
	return out, nil
}

func describeImage(img v1.Image, p Platform) (*Image, error) {
	d, err := img.Digest()
	if err != nil {
		return nil, fmt.Errorf("computing the image digest: %w", err)
	}
	mt, err := img.MediaType()
	if err != nil {
		return nil, err
	}
	size, err := img.Size()
	if err != nil {
		return nil, err
	}
	cd, err := img.ConfigName()
	if err != nil {
		return nil, err
	}
	return &Image{Platform: p, Digest: d.String(), MediaType: string(mt), Size: size, ConfigDigest: cd.String(), img: img}, nil
}

func digestString(h v1.Hash, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return h.String(), nil
}

func hasEnv(env []string, key string) bool {
	return slices.ContainsFunc(env, func(e string) bool { return strings.HasPrefix(e, key+"=") })
}

// mergeEnv returns base with each KEY=VALUE of add replacing the same key or
// appended.
func mergeEnv(base, add []string) []string {
	out := slices.Clone(base)
	for _, kv := range add {
		k, _, _ := strings.Cut(kv, "=")
		i := slices.IndexFunc(out, func(e string) bool { return strings.HasPrefix(e, k+"=") })
		if i >= 0 {
			out[i] = kv
		} else {
			out = append(out, kv)
		}
	}
	return out
}

// ParseReference checks a reference (host/repo[:tag][@digest]); docker.io
// names are expanded as docker does.
func ParseReference(s string) (string, error) {
	r, err := name.ParseReference(s, name.StrictValidation)
	if err != nil {
		if r2, err2 := name.ParseReference(s); err2 == nil {
			return r2.Name(), nil
		}
		return "", fmt.Errorf("%q is not an image reference: %w", s, err)
	}
	return r.Name(), nil
}

// ParseRepository checks a repository name (host/path, no tag or digest).
func ParseRepository(s string) (string, error) {
	if strings.Contains(s, "@") {
		return "", fmt.Errorf("%q has a digest: give a repository such as ghcr.io/owner/name", s)
	}
	if i := strings.LastIndex(s, ":"); i > strings.LastIndex(s, "/") {
		return "", fmt.Errorf("%q has a tag: give a repository such as ghcr.io/owner/name and put tags in tags", s)
	}
	r, err := name.NewRepository(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a repository: %w", s, err)
	}
	return r.Name(), nil
}

// ResolveBase resolves ref to a digest: an index (multi-platform) or a single
// image. "scratch" needs no registry.
func (c *Client) ResolveBase(ctx context.Context, ref string) (*Base, error) {
	if ref == Scratch {
		return &Base{Ref: Scratch}, nil
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("%q is not an image reference: %w", ref, err)
	}
	desc, err := c.get(ctx, r)
	if err != nil {
		return nil, err
	}
	b := &Base{Ref: ref, Name: r.Context().Name(), Digest: desc.Digest.String()}
	switch {
	case desc.MediaType.IsIndex():
		if b.index, err = desc.ImageIndex(); err != nil {
			return nil, fmt.Errorf("reading base index %s: %w", ref, c.explain(r, r.Context(), err))
		}
	case desc.MediaType.IsImage():
		if b.image, err = desc.Image(); err != nil {
			return nil, fmt.Errorf("reading base image %s: %w", ref, c.explain(r, r.Context(), err))
		}
	default:
		return nil, fmt.Errorf("base %s is a %s, not an image or an index", ref, desc.MediaType)
	}
	return b, nil
}
