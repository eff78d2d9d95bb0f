package oci

import (
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// WriteLayout writes idx (with its images and blobs) as the only entry of a
// fresh OCI image layout at dir, annotated with refName
// (org.opencontainers.image.ref.name). The layout is built beside dir and
// renamed into place, so readers never see half of it.
func WriteLayout(dir string, idx *Index, refName string) error {
	full, err := idx.withImages()
	if err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, ".oci-layout-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	p, err := layout.Write(tmp, empty.Index)
	if err != nil {
		return fmt.Errorf("writing OCI layout: %w", err)
	}
	var opts []layout.Option
	if refName != "" {
		opts = append(opts, layout.WithAnnotations(map[string]string{AnnotationRefName: refName}))
	}
	if err := p.AppendIndex(full, opts...); err != nil {
		return fmt.Errorf("writing OCI layout: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

// LayoutIndex reads the image index a layout written by WriteLayout holds:
// its only entry. Images() serves every platform image from the layout.
func LayoutIndex(dir string) (*Index, error) {
	p, err := layout.FromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("reading OCI layout %s: %w", dir, err)
	}
	root, err := p.ImageIndex()
	if err != nil {
		return nil, fmt.Errorf("reading OCI layout %s: %w", dir, err)
	}
	rm, err := root.IndexManifest()
	if err != nil {
		return nil, err
	}
	if len(rm.Manifests) != 1 || !rm.Manifests[0].MediaType.IsIndex() {
		return nil, fmt.Errorf("OCI layout %s holds %d entries: want one image index", dir, len(rm.Manifests))
	}
	idx, err := root.ImageIndex(rm.Manifests[0].Digest)
	if err != nil {
		return nil, err
	}
	return indexFrom(idx)
}

// LayoutImage reads the platform image with digest from a layout written
// by WriteLayout.
func LayoutImage(dir, digest string) (*Image, error) {
	x, err := LayoutIndex(dir)
	if err != nil {
		return nil, err
	}
	for _, img := range x.images {
		if img.Digest == digest {
			return img, nil
		}
	}
	return nil, fmt.Errorf("OCI layout %s has no image %s", dir, digest)
}

// indexFrom wraps an index whose images are all reachable through it.
func indexFrom(idx v1.ImageIndex) (*Index, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var descs []Descriptor
	var images []*Image
	for _, d := range im.Manifests {
		desc := Descriptor{MediaType: string(d.MediaType), Digest: d.Digest.String(), Size: d.Size, Platform: platformOf(d.Platform)}
		descs = append(descs, desc)
		img, err := idx.Image(d.Digest)
		if err != nil {
			return nil, err
		}
		i, err := describeImage(img, desc.Platform)
		if err != nil {
			return nil, err
		}
		images = append(images, i)
	}
	x, err := describeIndex(idx, descs)
	if err != nil {
		return nil, err
	}
	x.images = images
	return x, nil
}
