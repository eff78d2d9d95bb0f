package sign

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/oci"
)

// image is a manifest to sign or verify in a registry.
type image struct {
	repo string
	desc oci.Descriptor
	kind string // SubjectIndex or SubjectImage
	top  bool   // the manifest the reference names (not a platform of its index)
}

func (i image) ref() string { return i.repo + "@" + i.desc.Digest }

// repoOf strips the tag or digest from a reference.
func repoOf(ref string) string {
	if i := strings.Index(ref, "@"); i >= 0 {
		return ref[:i]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[:i]
	}
	return ref
}

// imageSubjects resolves the images input (or the image indexes publish
// recorded) and, with recursive, their platform manifests. An index that
// dist/oci also holds must have the digest the layout records.
func (r *run) imageSubjects(ctx context.Context) ([]image, error) {
	if r.c.NoImages {
		return nil, nil
	}
	refs := r.c.Images
	fromManifest := false
	if len(refs) == 0 && r.m != nil && len(r.m.Published) > 0 && len(r.c.Paths) == 0 {
		var pub []struct{ Ref, Digest, Kind string }
		if err := json.Unmarshal(r.m.Published, &pub); err != nil {
			return nil, gha.Usagef("dist", "published section: %v", err)
		}
		seen := map[string]bool{}
		for _, p := range pub {
			if p.Kind == "image-index" && p.Digest != "" {
				ref := repoOf(p.Ref) + "@" + p.Digest
				if !seen[ref] {
					seen[ref] = true
					refs = append(refs, ref)
				}
			}
		}
		fromManifest = true
	}
	if len(refs) == 0 {
		return nil, nil
	}
	end := r.a.Group("Resolving images")
	defer end()
	var layoutDigest string
	if x, err := oci.LayoutIndex(filepath.Join(r.c.Dist, "oci")); err == nil {
		layoutDigest = x.Digest
	}
	var out []image
	for _, ref := range refs {
		if _, err := oci.ParseReference(ref); err != nil {
			return nil, gha.Usagef("images", "%v", err)
		}
		m, err := r.oci.GetManifest(ctx, ref)
		if errors.Is(err, oci.ErrNotFound) {
			if fromManifest {
				return nil, gha.Findingsf("image %s recorded in the manifest is not in the registry: %v", ref, err)
			}
			return nil, gha.Usagef("images", "%s: %v", ref, err)
		}
		if err != nil {
			return nil, err
		}
		repo := repoOf(ref)
		if fromManifest && layoutDigest != "" && m.IsIndex() && m.Digest != layoutDigest {
			return nil, gha.Findingsf("%s is %s in the registry but dist/oci holds %s: refusing to sign what was not built here", ref, m.Digest, layoutDigest)
		}
		if m.IsIndex() {
			out = append(out, image{repo: repo, desc: m.Descriptor, kind: SubjectIndex, top: true})
			if r.c.Recursive {
				for _, ch := range m.Children {
					out = append(out, image{repo: repo, desc: ch, kind: SubjectImage})
				}
			}
		} else {
			out = append(out, image{repo: repo, desc: m.Descriptor, kind: SubjectImage, top: true})
		}
	}
	return uniqueImages(out), nil
}

// uniqueImages drops repeated repo@digest subjects (one image given by tag
// and by digest, or a platform manifest shared by two indexes): each is
// signed once, keeping the first (an index before its platforms).
func uniqueImages(imgs []image) []image {
	seen := map[string]bool{}
	out := imgs[:0]
	for _, img := range imgs {
		if !seen[img.ref()] {
			seen[img.ref()] = true
			out = append(out, img)
		}
	}
	return out
}

// storageFor decides tag or referrers for repo (auto probes the registry).
func (r *run) storageFor(ctx context.Context, img image, cache *sync.Map) (string, error) {
	if r.c.Storage != StorageAuto {
		if r.c.Storage == StorageReferrers && r.c.Mode == ModeSign {
			ok, err := r.oci.SupportsReferrers(ctx, img.repo, img.desc.Digest)
			if err != nil {
				return "", err
			}
			if !ok {
				return "", gha.Usagef("storage", "the registry of %s does not serve the OCI 1.1 referrers API: use storage tag or auto", img.repo)
			}
		}
		return r.c.Storage, nil
	}
	if v, ok := cache.Load(img.repo); ok {
		return v.(string), nil
	}
	ok, err := r.oci.SupportsReferrers(ctx, img.repo, img.desc.Digest)
	if err != nil {
		return "", err
	}
	s := StorageTag
	if ok {
		s = StorageReferrers
	}
	cache.Store(img.repo, s)
	return s, nil
}

// sbomsFor picks the SBOMs attested on img: the files of the sbom input go
// on the index (or on a lone manifest); SBOMs found in dist/sbom go on the
// manifest whose digest they name (the scan action's per-platform SBOMs on
// each platform image, its combined multi-arch SBOM on the index).
func sbomsFor(sboms []sbomFile, img image, explicit bool) []sbomFile {
	var out []sbomFile
	for _, s := range sboms {
		if (explicit && img.top) || (!explicit && s.subject == img.desc.Digest) {
			out = append(out, s)
		}
	}
	return out
}

// keylessAnnotations are the certificate, chain and log bundle cosign reads
// on a keyless signature layer.
func (r *run) keylessAnnotations(ann map[string]string, tle *TlogEntry) error {
	if len(r.signer.CertPEM) > 0 {
		ann[AnnotationCertificate] = string(r.signer.CertPEM)
		if len(r.signer.ChainPEM) > 0 {
			ann[AnnotationChain] = string(r.signer.ChainPEM)
		}
	}
	if tle != nil {
		b, err := tle.CosignBundleAnnotation()
		if err != nil {
			return err
		}
		ann[AnnotationBundle] = b
	}
	return nil
}

func (r *run) signImages(ctx context.Context, imgs []image) error {
	if len(imgs) == 0 {
		return nil
	}
	end := r.a.Group(fmt.Sprintf("Signing %d image manifests", len(imgs)))
	defer end()
	var sboms []sbomFile
	if r.c.Attest {
		var err error
		if sboms, err = r.sbomFiles(); err != nil {
			return err
		}
	}
	recs := make([][]Record, len(imgs))
	var storage sync.Map
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, img := range imgs {
		g.Go(func() error {
			st, err := r.storageFor(gctx, img, &storage)
			if err != nil {
				return err
			}
			payload, err := SimpleSigningPayload(img.repo, img.desc.Digest, nil)
			if err != nil {
				return err
			}
			sig, err := r.signer.Sign(gctx, payload)
			if err != nil {
				return fmt.Errorf("%s: %w", img.ref(), err)
			}
			var tle *TlogEntry
			if r.rekor != nil {
				sum := sha256.Sum256(payload)
				if tle, err = r.rekor.UploadHashedRekord(gctx, sum[:], sig, r.signer.VerifierPEM()); err != nil {
					return fmt.Errorf("%s: %w", img.ref(), err)
				}
			}
			ann := map[string]string{AnnotationSignature: b64(sig)}
			if err := r.keylessAnnotations(ann, tle); err != nil {
				return err
			}
			layer := oci.SignatureLayer{MediaType: oci.MediaTypeSimpleSigning, Payload: payload, Annotations: ann}
			where, err := r.store(gctx, img, st, oci.SuffixSignature, oci.ArtifactTypeSignature, layer)
			if err != nil {
				return err
			}
			rec := Record{Subject: img.ref(), Kind: img.kind, Digest: img.desc.Digest, Signer: r.signer.Kind, Signature: where, Storage: st, Identity: r.identity()}
			if tle != nil {
				rec.LogIndex = &tle.LogIndex
			}
			recs[i] = append(recs[i], rec)
			if !r.c.Attest {
				return nil
			}
			extra := map[string]any{"image": img.repo}
			if p := img.desc.Platform.String(); p != "" && p != "/" {
				extra["platform"] = p
			}
			stmt, err := ProvenanceStatement([]Subject{{Name: img.repo, Digest: map[string]string{"sha256": strings.TrimPrefix(img.desc.Digest, "sha256:")}}}, r.provenanceInput(extra))
			if err != nil {
				return err
			}
			arec, err := r.attestImage(gctx, img, st, PredicateSLSA1, stmt)
			if err != nil {
				return err
			}
			recs[i] = append(recs[i], arec)
			for _, s := range sbomsFor(sboms, img, len(r.c.SBOMs) > 0) {
				stmt, err := NewStatement([]Subject{{Name: img.repo, Digest: map[string]string{"sha256": strings.TrimPrefix(img.desc.Digest, "sha256:")}}}, s.predicateType, s.doc)
				if err != nil {
					return err
				}
				arec, err := r.attestImage(gctx, img, st, s.predicateType, stmt)
				if err != nil {
					return err
				}
				recs[i] = append(recs[i], arec)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, rs := range recs {
		r.records = append(r.records, rs...)
	}
	return nil
}

func (r *run) attestImage(ctx context.Context, img image, st, predicateType string, stmt []byte) (Record, error) {
	env, tle, err := r.envelope(ctx, stmt)
	if err != nil {
		return Record{}, fmt.Errorf("%s: %w", img.ref(), err)
	}
	raw, err := json.Marshal(env)
	if err != nil {
		return Record{}, err
	}
	// cosign reads the signature from the envelope; the annotation is there, empty.
	ann := map[string]string{AnnotationPredicate: predicateType, AnnotationSignature: ""}
	if err := r.keylessAnnotations(ann, tle); err != nil {
		return Record{}, err
	}
	layer := oci.SignatureLayer{MediaType: oci.MediaTypeDSSE, Payload: raw, Annotations: ann}
	where, err := r.store(ctx, img, st, oci.SuffixAttestation, oci.ArtifactTypeAttestation, layer)
	if err != nil {
		return Record{}, err
	}
	rec := Record{Subject: img.ref(), Kind: SubjectAttestation, Digest: img.desc.Digest, Signer: r.signer.Kind, Signature: where, Storage: st, PredicateType: predicateType, Identity: r.identity()}
	if tle != nil {
		rec.LogIndex = &tle.LogIndex
	}
	return rec, nil
}

// store appends layer to cosign's tag manifest, or attaches it as a
// referrer; it returns where it went.
func (r *run) store(ctx context.Context, img image, st, suffix, artifactType string, layer oci.SignatureLayer) (string, error) {
	if st == StorageReferrers {
		ref, err := r.oci.AttachReferrer(ctx, img.repo, img.desc, artifactType, layer)
		if err != nil {
			return "", fmt.Errorf("%s: %w", img.ref(), err)
		}
		return ref, nil
	}
	ref, added, err := r.oci.AppendSignature(ctx, img.repo, img.desc.Digest, suffix, layer)
	if err != nil {
		return "", fmt.Errorf("%s: %w", img.ref(), err)
	}
	if !added {
		r.a.Infof("%s already holds this signature", ref)
	}
	return ref, nil
}

// certIdentity returns the first SAN (URI or email) of a PEM certificate.
func certIdentity(certPEM []byte) (string, error) {
	certs, err := cryptoutils.UnmarshalCertificatesFromPEM(certPEM)
	if err != nil || len(certs) == 0 {
		return "", fmt.Errorf("not a PEM certificate: %v", err)
	}
	return sanOf(certs[0]), nil
}

func sanOf(c *x509.Certificate) string {
	if len(c.URIs) > 0 {
		return c.URIs[0].String()
	}
	if len(c.EmailAddresses) > 0 {
		return c.EmailAddresses[0]
	}
	return ""
}
