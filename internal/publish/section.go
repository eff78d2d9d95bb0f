package publish

import (
	"encoding/json"
	"fmt"

	"github.com/slipway-dev/slipway/internal/manifest"
)

// KindOCILayout is the manifest artifact kind of dist/oci/index.json, the
// entry point of the OCI image layout publish writes.
const KindOCILayout manifest.Kind = "oci-layout"

// ImageRecord is one platform image in the manifest's images section.
type ImageRecord struct {
	Platform     string   `json:"platform"`     // OCI platform: linux/arm/v7
	Target       string   `json:"target"`       // the Go target it was built from: linux/arm/7
	Binary       string   `json:"binary"`       // path of the binary in dist
	BinarySHA256 string   `json:"binarySha256"` // as build-matrix recorded it
	Path         string   `json:"path"`         // where the binary is in the image
	Digest       string   `json:"digest"`       // image manifest digest
	MediaType    string   `json:"mediaType"`
	Size         int64    `json:"size"` // manifest size
	Config       string   `json:"config"`
	Layer        string   `json:"layer"`                // the binary layer's digest
	Base         string   `json:"base"`                 // the base as resolved: name@digest, or scratch
	BaseDigest   string   `json:"baseDigest,omitempty"` // the base's image for this platform
	Repositories []string `json:"repositories,omitempty"`
	// Binaries lists every binary of an image that holds several (the
	// binary input names more than one); the first is Binary.
	Binaries []ImageBinary `json:"binaries,omitempty"`
}

// ImageBinary is one binary packaged in an image.
type ImageBinary struct {
	Binary       string `json:"binary"`       // path in dist
	BinarySHA256 string `json:"binarySha256"` // as build-matrix recorded it
	Path         string `json:"path"`         // in the image
}

// IndexRecord is the manifest's index section.
type IndexRecord struct {
	Digest      string            `json:"digest"`
	MediaType   string            `json:"mediaType"`
	Size        int64             `json:"size"`
	Platforms   []string          `json:"platforms"`
	Layout      string            `json:"layout,omitempty"` // relative to dist: "oci"
	RefName     string            `json:"refName,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Published kinds.
const (
	PublishedIndex        = "image-index"
	PublishedImage        = "image"
	PublishedArtifact     = "artifact"
	PublishedReleaseAsset = "release-asset"
)

// PublishedRecord is one thing publish put somewhere: a tag, a digest, an
// artifact or a release asset.
type PublishedRecord struct {
	Ref    string `json:"ref"` // host/repo:tag, host/repo@sha256:…, or a release asset URL
	Digest string `json:"digest"`
	Kind   string `json:"kind"`
	Name   string `json:"name,omitempty"` // release assets: the file name
}

// ReadImages decodes a manifest's images section (nil when absent).
func ReadImages(m *manifest.Manifest) ([]ImageRecord, error) {
	var out []ImageRecord
	if len(m.Images) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(m.Images, &out); err != nil {
		return nil, fmt.Errorf("images section: %w", err)
	}
	return out, nil
}

func setSections(m *manifest.Manifest, images []ImageRecord, index *IndexRecord, published []PublishedRecord) error {
	if images == nil {
		images = []ImageRecord{}
	}
	if published == nil {
		published = []PublishedRecord{}
	}
	var err error
	if m.Images, err = json.Marshal(images); err != nil {
		return err
	}
	if index != nil {
		if m.Index, err = json.Marshal(index); err != nil {
			return err
		}
	}
	m.Published, err = json.Marshal(published)
	return err
}
