package trivy

import (
	"context"
	"errors"
	"fmt"

	"github.com/aquasecurity/trivy/pkg/fanal/analyzer"
	artimage "github.com/aquasecurity/trivy/pkg/fanal/artifact/image"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/scan"
)

// Trivy takes images as go-containerregistry v1.Image values, so this file
// speaks go-containerregistry directly: it enumerates the platforms of an
// OCI layout or a registry index and hands each image to Trivy.

// platformImage is one image to scan and where it came from.
type platformImage struct {
	img      v1.Image
	platform string
	digest   string
}

// ociImage is the types.Image Trivy's image artifact wants.
type ociImage struct {
	v1.Image
	name        string
	repoDigests []string
}

func (i ociImage) Name() string { return i.name }
func (i ociImage) ID() (string, error) {
	h, err := i.ConfigName()
	if err != nil {
		return "", err
	}
	return h.String(), nil
}
func (i ociImage) RepoTags() []string    { return nil }
func (i ociImage) RepoDigests() []string { return i.repoDigests }

// scanImages scans every platform of an image (layout or registry
// reference), one result each.
func (b *Backend) scanImages(ctx context.Context, s scan.Subject) ([]scan.Result, error) {
	var imgs []platformImage
	var indexDigest string
	var err error
	if s.Ref != "" {
		imgs, indexDigest, err = registryImages(ctx, s.Ref)
	} else {
		imgs, indexDigest, err = layoutImages(s.Path)
	}
	if err != nil {
		return nil, err
	}
	if len(imgs) == 0 {
		return nil, fmt.Errorf("%s holds no image", s.Name)
	}
	var out []scan.Result
	for _, pi := range imgs {
		sub := s
		sub.Platform, sub.Digest, sub.IndexDigest = pi.platform, pi.digest, indexDigest
		if len(imgs) > 1 || pi.platform != "" {
			sub.Name = s.Name + " " + pi.platform
		}
		img := ociImage{Image: pi.img, name: s.Name + "@" + pi.digest}
		if s.Ref != "" {
			if ref, err := name.ParseReference(s.Ref); err == nil {
				img.repoDigests = []string{ref.Context().Digest(pi.digest).String()}
			}
		}
		art, err := artimage.NewArtifact(img, b.cache, artifactOption(analyzer.TypeLockfiles))
		if err != nil {
			return nil, fmt.Errorf("preparing %s: %w", sub.Name, err)
		}
		rep, err := b.run(ctx, art)
		if err != nil {
			return nil, fmt.Errorf("scanning %s: %w", sub.Name, err)
		}
		out = append(out, convert(sub, rep))
	}
	return out, nil
}

func layoutImages(dir string) ([]platformImage, string, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, "", fmt.Errorf("reading the OCI layout %s: %w", dir, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, "", fmt.Errorf("reading the OCI layout %s: %w", dir, err)
	}
	indexDigest := ""
	if len(im.Manifests) == 1 && im.Manifests[0].MediaType.IsIndex() {
		indexDigest = im.Manifests[0].Digest.String()
	}
	imgs, err := indexImages(idx, nil)
	return imgs, indexDigest, err
}

func registryImages(ctx context.Context, refStr string) ([]platformImage, string, error) {
	ref, err := name.ParseReference(refStr)
	if err != nil {
		return nil, "", gha.Usagef("images", "%q is not an image reference: %v", refStr, err)
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	desc, err := remote.Get(ref, opts...)
	if err != nil {
		if isNotFound(err) {
			return nil, "", gha.Usagef("images", "%s does not resolve: the registry has no such image (%v)", refStr, err)
		}
		return nil, "", fmt.Errorf("resolving %s: %w", refStr, err)
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, "", fmt.Errorf("reading the index %s: %w", refStr, err)
		}
		imgs, err := indexImages(idx, nil)
		return imgs, desc.Digest.String(), err
	}
	img, err := desc.Image()
	if err != nil {
		return nil, "", fmt.Errorf("reading the image %s: %w", refStr, err)
	}
	pl, err := configPlatform(img)
	if err != nil {
		return nil, "", err
	}
	return []platformImage{{img: img, platform: pl, digest: desc.Digest.String()}}, "", nil
}

// indexImages walks an index (and nested indexes) for its images, skipping
// attestation manifests.
func indexImages(idx v1.ImageIndex, seen map[v1.Hash]bool) ([]platformImage, error) {
	if seen == nil {
		seen = make(map[v1.Hash]bool)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []platformImage
	for _, d := range im.Manifests {
		if seen[d.Digest] {
			continue
		}
		seen[d.Digest] = true
		switch {
		case d.MediaType.IsIndex():
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				return nil, err
			}
			imgs, err := indexImages(child, seen)
			if err != nil {
				return nil, err
			}
			out = append(out, imgs...)
		case d.MediaType.IsImage():
			if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" || (d.Platform != nil && d.Platform.OS == "unknown") {
				continue
			}
			img, err := idx.Image(d.Digest)
			if err != nil {
				return nil, err
			}
			pl := ""
			if d.Platform != nil && d.Platform.OS != "" {
				pl = platformString(*d.Platform)
			} else if pl, err = configPlatform(img); err != nil {
				return nil, err
			}
			out = append(out, platformImage{img: img, platform: pl, digest: d.Digest.String()})
		}
	}
	return out, nil
}

func platformString(p v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

func configPlatform(img v1.Image) (string, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return "", fmt.Errorf("reading the image config: %w", err)
	}
	if cf.OS == "" {
		return "", errors.New("the image config names no OS")
	}
	return platformString(v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant}), nil
}
