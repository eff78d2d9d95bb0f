package oci

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Index is an OCI image index over platform images.
type Index struct {
	Digest    string
	MediaType string
	Size      int64
	Manifests []Descriptor // in index order (sorted by platform)

	idx    v1.ImageIndex
	images []*Image // nil when built from descriptors only (merge)
}

// Images returns the platform images the index was built from, or nil when
// it was assembled from descriptors.
func (x *Index) Images() []*Image { return slices.Clone(x.images) }

// RawManifest returns the index's JSON.
func (x *Index) RawManifest() ([]byte, error) { return x.idx.RawManifest() }

// NewIndex builds an OCI image index over images, one per platform, sorted
// by platform so that the order of building never changes the digest.
func NewIndex(images []*Image, annotations map[string]string) (*Index, error) {
	descs := make([]Descriptor, len(images))
	for i, img := range images {
		descs[i] = img.Descriptor()
	}
	x, err := IndexOf(descs, annotations)
	if err != nil {
		return nil, err
	}
	byDigest := map[string]*Image{}
	for _, img := range images {
		byDigest[img.Digest] = img
	}
	for _, d := range x.Manifests {
		x.images = append(x.images, byDigest[d.Digest])
	}
	return x, nil
}

// Descriptor returns the image's index entry.
func (img *Image) Descriptor() Descriptor {
	return Descriptor{MediaType: img.MediaType, Digest: img.Digest, Size: img.Size, Platform: img.Platform}
}

// IndexOf builds an index from manifest descriptors alone, as merge does with
// the digests other runners pushed. Two entries for one platform are an error.
func IndexOf(descs []Descriptor, annotations map[string]string) (*Index, error) {
	descs = slices.Clone(descs)
	slices.SortFunc(descs, func(a, b Descriptor) int { return strings.Compare(a.Platform.String(), b.Platform.String()) })
	for i := 1; i < len(descs); i++ {
		if descs[i].Platform == descs[i-1].Platform {
			return nil, fmt.Errorf("two images for %s: %s and %s", descs[i].Platform, descs[i-1].Digest, descs[i].Digest)
		}
	}
	if len(descs) == 0 {
		return nil, fmt.Errorf("an index needs at least one image")
	}
	var adds []mutate.IndexAddendum
	for _, d := range descs {
		h, err := v1.NewHash(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("%s: digest %q: %w", d.Platform, d.Digest, err)
		}
		adds = append(adds, mutate.IndexAddendum{
			Add: descAppendable{mt: types.MediaType(d.MediaType), h: h, size: d.Size},
			Descriptor: v1.Descriptor{
				MediaType: types.MediaType(d.MediaType), Digest: h, Size: d.Size, Platform: d.Platform.v1(),
			},
		})
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), adds...)
	if len(annotations) > 0 {
		idx = mutate.Annotations(idx, maps.Clone(annotations)).(v1.ImageIndex)
	}
	return describeIndex(idx, descs)
}

func describeIndex(idx v1.ImageIndex, descs []Descriptor) (*Index, error) {
	d, err := idx.Digest()
	if err != nil {
		return nil, fmt.Errorf("computing the index digest: %w", err)
	}
	size, err := idx.Size()
	if err != nil {
		return nil, err
	}
	mt, err := idx.MediaType()
	if err != nil {
		return nil, err
	}
	return &Index{Digest: d.String(), MediaType: string(mt), Size: size, Manifests: descs, idx: idx}, nil
}

// descAppendable is a manifest known only by its descriptor.
type descAppendable struct {
	mt   types.MediaType
	h    v1.Hash
	size int64
}

func (d descAppendable) MediaType() (types.MediaType, error) { return d.mt, nil }
func (d descAppendable) Digest() (v1.Hash, error)            { return d.h, nil }
func (d descAppendable) Size() (int64, error)                { return d.size, nil }

// withImages returns an index whose Image(digest) serves the built images,
// for writing children to a layout or a registry.
func (x *Index) withImages() (v1.ImageIndex, error) {
	if x.images == nil {
		return nil, fmt.Errorf("index %s was assembled from descriptors: its images are not here", x.Digest)
	}
	var adds []mutate.IndexAddendum
	for i, img := range x.images {
		d := x.Manifests[i]
		adds = append(adds, mutate.IndexAddendum{Add: img.img, Descriptor: v1.Descriptor{
			MediaType: types.MediaType(d.MediaType), Platform: d.Platform.v1(),
		}})
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), adds...)
	raw, err := x.idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	if len(raw.Annotations) > 0 {
		idx = mutate.Annotations(idx, raw.Annotations).(v1.ImageIndex)
	}
	d, err := idx.Digest()
	if err != nil {
		return nil, err
	}
	if d.String() != x.Digest {
		return nil, fmt.Errorf("index rebuilt from its images has digest %s, not %s", d, x.Digest)
	}
	return idx, nil
}

// ArtifactType matches what go-containerregistry records in an index for an
// image it holds (the config media type), so an index assembled from
// descriptors has the digest of one assembled from the images.
func (d descAppendable) ArtifactType() (string, error) {
	if d.mt == types.OCIManifestSchema1 {
		return string(types.OCIConfigJSON), nil
	}
	return "", nil
}
