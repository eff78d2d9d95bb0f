package oci

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Media and artifact types of cosign's storage formats.
const (
	// MediaTypeSimpleSigning is the layer of a cosign image signature: the
	// simple-signing payload.
	MediaTypeSimpleSigning = "application/vnd.dev.cosign.simplesigning.v1+json"
	// MediaTypeDSSE is the layer of a cosign attestation: a DSSE envelope.
	MediaTypeDSSE = "application/vnd.dsse.envelope.v1+json"
	// ArtifactTypeSignature is the artifactType (and config media type) of a
	// signature stored as an OCI 1.1 referrer.
	ArtifactTypeSignature = "application/vnd.dev.cosign.artifact.sig.v1+json"
	// ArtifactTypeAttestation is the artifactType of an attestation stored
	// as an OCI 1.1 referrer.
	ArtifactTypeAttestation = "application/vnd.dev.cosign.artifact.att.v1+json"
	// SuffixSignature and SuffixAttestation end cosign's tags
	// sha256-<hex>.sig and sha256-<hex>.att.
	SuffixSignature   = "sig"
	SuffixAttestation = "att"
)

// SignatureLayer is one signature or attestation: the signed payload (a
// simple-signing document or a DSSE envelope) and the annotations cosign
// reads (dev.cosignproject.cosign/signature, predicateType, certificates).
type SignatureLayer struct {
	MediaType   string
	Payload     []byte
	Annotations map[string]string
}

// SignatureTag returns cosign's tag for the signatures (suffix "sig") or
// attestations ("att") of the manifest with digest: sha256-<hex>.<suffix>.
func SignatureTag(digest, suffix string) string {
	return strings.Replace(digest, ":", "-", 1) + "." + suffix
}

// Manifest is a manifest read from a registry: its descriptor and, for an
// index, its children.
type Manifest struct {
	Descriptor
	Children []Descriptor // index entries; nil for an image manifest
}

// IsIndex reports whether the manifest is an image index.
func (m Manifest) IsIndex() bool { return types.MediaType(m.MediaType).IsIndex() }

// GetManifest reads ref (repo:tag or repo@digest) and, for an index, the
// descriptors of its manifests. A missing manifest wraps ErrNotFound.
func (c *Client) GetManifest(ctx context.Context, ref string) (Manifest, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return Manifest{}, fmt.Errorf("%q is not an image reference: %w", ref, err)
	}
	d, err := c.get(ctx, r)
	if err != nil {
		return Manifest{}, err
	}
	m := Manifest{Descriptor: Descriptor{MediaType: string(d.MediaType), Digest: d.Digest.String(), Size: d.Size}}
	if d.MediaType.IsIndex() {
		idx, err := d.ImageIndex()
		if err != nil {
			return Manifest{}, fmt.Errorf("reading the index %s: %w", ref, err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return Manifest{}, fmt.Errorf("reading the index %s: %w", ref, err)
		}
		m.Children = []Descriptor{}
		for _, e := range im.Manifests {
			m.Children = append(m.Children, Descriptor{MediaType: string(e.MediaType), Digest: e.Digest.String(), Size: e.Size, Platform: platformOf(e.Platform)})
		}
	}
	return m, nil
}

// Signatures reads the layers of the cosign tag manifest
// repo:sha256-<hex>.<suffix>; none when the tag does not exist.
func (c *Client) Signatures(ctx context.Context, repo, digest, suffix string) ([]SignatureLayer, error) {
	r, err := name.NewRepository(repo)
	if err != nil {
		return nil, fmt.Errorf("%q is not a repository: %w", repo, err)
	}
	img, err := c.sigImage(ctx, r.Tag(SignatureTag(digest, suffix)))
	if err != nil || img == nil {
		return nil, err
	}
	return layersOf(img)
}

// sigImage reads the image at tag, or nil when the tag does not exist.
func (c *Client) sigImage(ctx context.Context, tag name.Tag) (v1.Image, error) {
	img, err := remote.Image(tag, c.options(ctx)...)
	if err != nil {
		err = c.explain(tag, tag.Context(), err)
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading %s: %w", tag, err)
	}
	return img, nil
}

func layersOf(img v1.Image) ([]SignatureLayer, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	ls, err := img.Layers()
	if err != nil {
		return nil, err
	}
	out := make([]SignatureLayer, 0, len(ls))
	for i, l := range ls {
		rc, err := l.Compressed()
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		b, err := readAllLimited(rc, 16<<20)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		out = append(out, SignatureLayer{MediaType: string(m.Layers[i].MediaType), Payload: b, Annotations: maps.Clone(m.Layers[i].Annotations)})
	}
	return out, nil
}

// AppendSignature adds layer to the cosign tag manifest of the manifest with
// digest in repo (sha256-<hex>.<suffix>): the layers already there are kept,
// in order, and the new one goes last. A layer with the same payload and
// annotations already present is not added again (added is false). The
// result is read back through the tag.
func (c *Client) AppendSignature(ctx context.Context, repo, digest, suffix string, layer SignatureLayer) (ref string, added bool, err error) {
	r, err := name.NewRepository(repo)
	if err != nil {
		return "", false, fmt.Errorf("%q is not a repository: %w", repo, err)
	}
	tag := r.Tag(SignatureTag(digest, suffix))
	base, err := c.sigImage(ctx, tag)
	if err != nil {
		return "", false, err
	}
	if base == nil {
		base = mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	} else {
		have, err := layersOf(base)
		if err != nil {
			return "", false, fmt.Errorf("reading %s: %w", tag, err)
		}
		for _, h := range have {
			if string(h.Payload) == string(layer.Payload) && maps.Equal(h.Annotations, layer.Annotations) {
				return tag.String(), false, nil
			}
		}
	}
	img, err := mutate.Append(base, mutate.Addendum{
		Layer:       static.NewLayer(layer.Payload, types.MediaType(layer.MediaType)),
		Annotations: maps.Clone(layer.Annotations),
		MediaType:   types.MediaType(layer.MediaType),
	})
	if err != nil {
		return "", false, fmt.Errorf("appending to %s: %w", tag, err)
	}
	if err := remote.Write(tag, img, c.options(ctx)...); err != nil {
		return "", false, fmt.Errorf("pushing %s: %w", tag, c.explain(tag, r, err))
	}
	want, err := img.Digest()
	if err != nil {
		return "", false, err
	}
	if err := c.readBack(ctx, tag, want.String()); err != nil {
		return "", false, err
	}
	return tag.String(), true, nil
}

// SupportsReferrers reports whether the registry of repo serves the OCI 1.1
// referrers API (GET /v2/<repo>/referrers/<digest> answers with an index).
func (c *Client) SupportsReferrers(ctx context.Context, repo, digest string) (bool, error) {
	r, err := name.NewRepository(repo)
	if err != nil {
		return false, fmt.Errorf("%q is not a repository: %w", repo, err)
	}
	_, err = remote.Referrers(r.Digest(digest), append(c.options(ctx), remote.WithReferrersTagFallback(false))...)
	if err == nil {
		return true, nil
	}
	if strings.Contains(err.Error(), "does not support the Referrers API") {
		return false, nil
	}
	return false, fmt.Errorf("asking %s for referrers: %w", r.RegistryStr(), c.explain(r, r, err))
}

// AttachReferrer pushes a manifest of artifactType with one layer and the
// subject subject (an OCI 1.1 referrer) to repo, and returns its reference.
// Every signature is a manifest of its own, so nothing is ever replaced.
func (c *Client) AttachReferrer(ctx context.Context, repo string, subject Descriptor, artifactType string, layer SignatureLayer) (string, error) {
	r, err := name.NewRepository(repo)
	if err != nil {
		return "", fmt.Errorf("%q is not a repository: %w", repo, err)
	}
	h, err := v1.NewHash(subject.Digest)
	if err != nil {
		return "", fmt.Errorf("subject digest %q: %w", subject.Digest, err)
	}
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.MediaType(artifactType))
	img, err := mutate.Append(base, mutate.Addendum{
		Layer:       static.NewLayer(layer.Payload, types.MediaType(layer.MediaType)),
		Annotations: maps.Clone(layer.Annotations),
		MediaType:   types.MediaType(layer.MediaType),
	})
	if err != nil {
		return "", err
	}
	img = mutate.Subject(img, v1.Descriptor{MediaType: types.MediaType(subject.MediaType), Digest: h, Size: subject.Size}).(v1.Image)
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	ref := r.Digest(d.String())
	if err := remote.Write(ref, img, append(c.options(ctx), remote.WithReferrersTagFallback(false))...); err != nil {
		return "", fmt.Errorf("pushing the referrer %s: %w", ref, c.explain(ref, r, err))
	}
	if err := c.readBack(ctx, ref, d.String()); err != nil {
		return "", err
	}
	return ref.String(), nil
}

// Referrers returns the layers of every manifest of artifactType that refers
// to the manifest with digest in repo, through the OCI 1.1 referrers API.
func (c *Client) Referrers(ctx context.Context, repo, digest, artifactType string) ([]SignatureLayer, error) {
	r, err := name.NewRepository(repo)
	if err != nil {
		return nil, fmt.Errorf("%q is not a repository: %w", repo, err)
	}
	idx, err := remote.Referrers(r.Digest(digest), append(c.options(ctx), remote.WithReferrersTagFallback(false), remote.WithFilter("artifactType", artifactType))...)
	if err != nil {
		return nil, fmt.Errorf("listing the referrers of %s@%s: %w", repo, digest, c.explain(r, r, err))
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []SignatureLayer
	for _, d := range im.Manifests {
		if d.ArtifactType != artifactType {
			continue
		}
		img, err := remote.Image(r.Digest(d.Digest.String()), c.options(ctx)...)
		if err != nil {
			return nil, fmt.Errorf("reading the referrer %s: %w", d.Digest, c.explain(r, r, err))
		}
		ls, err := layersOf(img)
		if err != nil {
			return nil, fmt.Errorf("reading the referrer %s: %w", d.Digest, err)
		}
		out = append(out, ls...)
	}
	return out, nil
}

// readAllLimited reads r to the end, failing beyond limit bytes.
func readAllLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return b, nil
}
