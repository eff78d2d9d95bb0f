package oci

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Media types of the release artifact (OCI 1.1 artifact manifest, readable by
// ORAS: each file is a layer titled with its path).
const (
	ArtifactTypeRelease = "application/vnd.slipway.release.v1"
	MediaTypeBinary     = "application/vnd.slipway.binary.v1"
	MediaTypeArchiveTar = "application/vnd.slipway.archive.v1.tar+gzip"
	MediaTypeArchiveZip = "application/vnd.slipway.archive.v1+zip"
	MediaTypeChecksums  = "application/vnd.slipway.checksums.v1+text"
	MediaTypeFile       = "application/octet-stream"
	mediaTypeEmptyJSON  = "application/vnd.oci.empty.v1+json"
	emptyJSONDigest     = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
)

// ArtifactFile is one file of a release artifact.
type ArtifactFile struct {
	Title     string // its path in dist (the org.opencontainers.image.title annotation)
	Source    string // the file on disk
	MediaType string
}

// Artifact is an OCI artifact manifest over files, with the empty config.
type Artifact struct {
	Digest string
	Size   int64

	raw    []byte
	layers []fileLayer
}

type artifactManifest struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType"`
	ArtifactType  string            `json:"artifactType"`
	Config        artifactDesc      `json:"config"`
	Layers        []artifactDesc    `json:"layers"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

type artifactDesc struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Data        []byte            `json:"data,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// NewArtifact hashes the files and builds the manifest; files are sorted by
// title, so the digest depends only on the files and annotations.
func NewArtifact(files []ArtifactFile, annotations map[string]string) (*Artifact, error) {
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b ArtifactFile) int { return strings.Compare(a.Title, b.Title) })
	m := artifactManifest{
		SchemaVersion: 2, MediaType: string(types.OCIManifestSchema1), ArtifactType: ArtifactTypeRelease,
		Config:      artifactDesc{MediaType: mediaTypeEmptyJSON, Digest: emptyJSONDigest, Size: 2, Data: []byte("{}")},
		Layers:      []artifactDesc{},
		Annotations: maps.Clone(annotations),
	}
	a := &Artifact{}
	for _, f := range files {
		l, err := newFileLayer(f.Source, f.MediaType)
		if err != nil {
			return nil, err
		}
		a.layers = append(a.layers, l)
		m.Layers = append(m.Layers, artifactDesc{MediaType: f.MediaType, Digest: l.digest.String(), Size: l.size,
			Annotations: map[string]string{AnnotationTitle: f.Title}})
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	a.raw, a.Digest, a.Size = raw, "sha256:"+hex.EncodeToString(sum[:]), int64(len(raw))
	return a, nil
}

// RawManifest and MediaType make an Artifact a remote.Taggable.
func (a *Artifact) RawManifest() ([]byte, error)        { return a.raw, nil }
func (a *Artifact) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

// PushArtifact uploads the artifact's blobs (skipping those repo has), then
// its manifest by digest, then the tags, reading each back.
func (c *Client) PushArtifact(ctx context.Context, repo string, a *Artifact, tags []string) error {
	r, err := name.NewRepository(repo)
	if err != nil {
		return fmt.Errorf("%q is not a repository: %w", repo, err)
	}
	blobs := []v1.Layer{fileLayer{digest: mustHash(emptyJSONDigest), size: 2, mt: mediaTypeEmptyJSON, data: []byte("{}")}}
	for _, l := range a.layers {
		blobs = append(blobs, l)
	}
	for _, l := range blobs {
		if err := remote.WriteLayer(r, l, c.options(ctx)...); err != nil {
			return fmt.Errorf("pushing artifact blobs to %s: %w", repo, c.explain(r, r, err))
		}
	}
	ref := r.Digest(a.Digest)
	if err := remote.Put(ref, a, c.options(ctx)...); err != nil {
		return fmt.Errorf("pushing the artifact manifest to %s: %w", repo, c.explain(ref, r, err))
	}
	if err := c.readBack(ctx, ref, a.Digest); err != nil {
		return err
	}
	for _, t := range tags {
		tr := r.Tag(t)
		if err := remote.Put(tr, a, c.options(ctx)...); err != nil {
			return fmt.Errorf("tagging %s: %w", tr, c.explain(tr, r, err))
		}
		if err := c.readBack(ctx, tr, a.Digest); err != nil {
			return err
		}
	}
	return nil
}

func mustHash(s string) v1.Hash {
	h, err := v1.NewHash(s)
	if err != nil {
		panic(err) // a constant
	}
	return h
}

// fileLayer is a blob stored as is (not a tar layer): a file or small data.
type fileLayer struct {
	path   string
	data   []byte
	digest v1.Hash
	size   int64
	mt     types.MediaType
}

func newFileLayer(path, mediaType string) (fileLayer, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileLayer{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return fileLayer{}, fmt.Errorf("hashing %s: %w", path, err)
	}
	return fileLayer{path: path, digest: v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}, size: n, mt: types.MediaType(mediaType)}, nil
}

func (l fileLayer) Digest() (v1.Hash, error)             { return l.digest, nil }
func (l fileLayer) DiffID() (v1.Hash, error)             { return l.digest, nil }
func (l fileLayer) Size() (int64, error)                 { return l.size, nil }
func (l fileLayer) MediaType() (types.MediaType, error)  { return l.mt, nil }
func (l fileLayer) Uncompressed() (io.ReadCloser, error) { return l.Compressed() }
func (l fileLayer) Compressed() (io.ReadCloser, error) {
	if l.data != nil {
		return io.NopCloser(bytes.NewReader(l.data)), nil
	}
	return os.Open(l.path)
}
