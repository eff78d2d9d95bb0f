package sign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/oci"
)

// verify is mode verify: every subject must carry a signature that verifies;
// every failure is reported with its subject, and together they are a
// finding (exit 3).
func (r *run) verify(ctx context.Context) error {
	c, a := r.c, r.a
	var err error
	switch {
	case c.Signer == SignerKeyless:
		tr, rerr := os.ReadFile(c.TrustedRoot)
		if rerr != nil {
			return gha.Usagef("trusted-root", "%v", rerr)
		}
		if r.ver, err = NewKeylessVerifier(tr, Identity{SAN: c.Identity, SANRegexp: c.IdentityRE, Issuer: c.Issuer}); err != nil {
			return gha.Usagef("trusted-root", "%v", err)
		}
	case strings.Contains(c.PublicKey, "://"):
		s, kerr := NewKMSSigner(ctx, c.PublicKey)
		if errors.Is(kerr, ErrBadKMSURI) {
			return gha.Usagef("public-key", "%v", kerr)
		}
		if kerr != nil {
			return kerr
		}
		if r.ver, err = NewKeyVerifier(s.PublicKey()); err != nil {
			return err
		}
	default:
		b, rerr := os.ReadFile(c.PublicKey)
		if rerr != nil {
			return gha.Usagef("public-key", "%v", rerr)
		}
		pub, perr := ParsePublicKey(b)
		if perr != nil {
			return gha.Usagef("public-key", "%v", perr)
		}
		if r.ver, err = NewKeyVerifier(pub); err != nil {
			return gha.Usagef("public-key", "%v", err)
		}
	}
	blobs, err := r.blobSubjects(ctx)
	if err != nil {
		return err
	}
	imgs, err := r.imageSubjects(ctx)
	if err != nil {
		return err
	}
	var failed []string
	fail := func(subject string, file string, err error) {
		failed = append(failed, subject)
		an := gha.Annotation{Level: gha.LevelError, Title: "bad signature", Message: fmt.Sprintf("%s: %v", subject, err)}
		if file != "" {
			an.File = file
		}
		a.Annotate(an)
	}
	end := a.Group(fmt.Sprintf("Verifying %d files", len(blobs)))
	for _, b := range blobs {
		rec, err := r.verifyBlob(b)
		if err != nil {
			fail(b.art.Path, gha.RelPath(c.Workspace, b.full), err)
			continue
		}
		r.records = append(r.records, rec)
	}
	total := len(blobs) + len(imgs)
	if len(blobs) > 0 && r.m != nil && len(c.Paths) == 0 {
		total++ // the provenance over all files is a subject of its own
		if err := r.verifyBlobAttestation(blobs); err != nil {
			fail("provenance of the files", "", err)
		}
	}
	end()
	end = a.Group(fmt.Sprintf("Verifying %d image manifests", len(imgs)))
	for _, img := range imgs {
		recs, err := r.verifyImage(ctx, img)
		if err != nil {
			if _, ok := errors.AsType[*gha.UsageError](err); ok || !errors.Is(err, ErrBadSignature) {
				end()
				return err
			}
			fail(img.ref(), "", err)
			continue
		}
		r.records = append(r.records, recs...)
	}
	end()
	if err := r.setOutputs(); err != nil {
		return err
	}
	if err := a.Summary(r.summary("verify") + failedTable(failed)); err != nil {
		return err
	}
	if len(failed) > 0 {
		return gha.Findingsf("%d of %d subjects failed verification: %s", len(failed), total, strings.Join(failed, ", "))
	}
	a.Infof("verified %d files and %d image manifests", len(blobs), len(imgs))
	return nil
}

func failedTable(failed []string) string {
	if len(failed) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n**Failed verification**\n\n| subject |\n|---|\n")
	for _, f := range failed {
		fmt.Fprintf(&b, "| `%s` |\n", f)
	}
	return b.String()
}

// verifyBlob checks a file's .sig (key) and bundle; at least one must be
// present, and every one present must verify.
func (r *run) verifyBlob(b blob) (Record, error) {
	data, err := os.ReadFile(b.full)
	if err != nil {
		return Record{}, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	rec := Record{Subject: b.art.Path, Kind: SubjectBlob, Digest: "sha256:" + sha256Hex(data), Signer: r.c.Signer}
	sigFile := filepath.Join(r.c.Dist, filepath.FromSlash(sigPath(b.art.Path, ".sig")))
	bundleFile := filepath.Join(r.c.Dist, filepath.FromSlash(sigPath(b.art.Path, ".sigstore.json")))
	found := false
	if sig, err := os.ReadFile(sigFile); err == nil && !r.ver.Keyless() {
		found = true
		if err := r.ver.VerifyBlob(data, sig); err != nil {
			return rec, fmt.Errorf("%s: %w", gha.RelPath(r.c.Workspace, sigFile), err)
		}
		rec.Signature = sigPath(b.art.Path, ".sig")
	}
	if bundle, err := os.ReadFile(bundleFile); err == nil {
		found = true
		if err := r.ver.VerifyBundle(data, bundle); err != nil {
			return rec, fmt.Errorf("%s: %w", gha.RelPath(r.c.Workspace, bundleFile), err)
		}
		rec.Bundle = sigPath(b.art.Path, ".sigstore.json")
	}
	if !found {
		return rec, fmt.Errorf("%w: no signature: neither %s nor %s exists", ErrBadSignature, gha.RelPath(r.c.Workspace, sigFile), gha.RelPath(r.c.Workspace, bundleFile))
	}
	return rec, nil
}

// verifyBlobAttestation checks the provenance bundle sign writes over all
// files, when present: each file must be one of its subjects.
func (r *run) verifyBlobAttestation(blobs []blob) error {
	p := filepath.Join(r.c.Dist, sigDir, "provenance.intoto.sigstore.json")
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, bl := range blobs {
		data, err := os.ReadFile(bl.full)
		if err != nil {
			return err
		}
		if err := r.ver.VerifyBundle(data, b); err != nil {
			return fmt.Errorf("%s for %s: %w", gha.RelPath(r.c.Workspace, p), bl.art.Path, err)
		}
	}
	return nil
}

// verifyImage needs one valid signature on img (cosign's tag, or a
// referrer), and, when attestations are attached, one valid attestation.
func (r *run) verifyImage(ctx context.Context, img image) ([]Record, error) {
	sigs, err := r.oci.Signatures(ctx, img.repo, img.desc.Digest, oci.SuffixSignature)
	if err != nil {
		return nil, err
	}
	atts, err := r.oci.Signatures(ctx, img.repo, img.desc.Digest, oci.SuffixAttestation)
	if err != nil {
		return nil, err
	}
	if ok, err := r.oci.SupportsReferrers(ctx, img.repo, img.desc.Digest); err == nil && ok {
		more, err := r.oci.Referrers(ctx, img.repo, img.desc.Digest, oci.ArtifactTypeSignature)
		if err != nil {
			return nil, err
		}
		sigs = append(sigs, more...)
		more, err = r.oci.Referrers(ctx, img.repo, img.desc.Digest, oci.ArtifactTypeAttestation)
		if err != nil {
			return nil, err
		}
		atts = append(atts, more...)
	}
	if len(sigs) == 0 {
		return nil, fmt.Errorf("%w: no signature (no %s tag, no referrer)", ErrBadSignature, oci.SignatureTag(img.desc.Digest, oci.SuffixSignature))
	}
	var errs []error
	var recs []Record
	for _, l := range sigs {
		if err := r.verifySignatureLayer(l, img.desc.Digest); err != nil {
			errs = append(errs, err)
			continue
		}
		recs = append(recs, Record{Subject: img.ref(), Kind: img.kind, Digest: img.desc.Digest, Signer: r.c.Signer})
		break
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("none of %d signatures verifies: %w", len(sigs), errors.Join(errs...))
	}
	if len(atts) == 0 {
		return recs, nil
	}
	errs = nil
	for _, l := range atts {
		st, err := r.verifyAttestationLayer(l, strings.TrimPrefix(img.desc.Digest, "sha256:"))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		recs = append(recs, Record{Subject: img.ref(), Kind: SubjectAttestation, Digest: img.desc.Digest, Signer: r.c.Signer, PredicateType: st.PredicateType})
	}
	if len(recs) == 1 {
		return nil, fmt.Errorf("none of %d attestations verifies: %w", len(atts), errors.Join(errs...))
	}
	return recs, nil
}

// verifySignatureLayer checks one cosign signature layer with the key, or
// keyless with its certificate and log annotations.
func (r *run) verifySignatureLayer(l oci.SignatureLayer, digest string) error {
	if r.ver.Keyless() {
		return r.ver.VerifyKeylessImageSignature(l.Payload, l.Annotations, digest)
	}
	return r.ver.VerifyImageSignature(l.Payload, l.Annotations[AnnotationSignature], digest)
}

// verifyAttestationLayer checks one attestation layer (a DSSE envelope)
// with the key, or keyless with its certificate and log annotations.
func (r *run) verifyAttestationLayer(l oci.SignatureLayer, digestHex string) (*Statement, error) {
	if r.ver.Keyless() {
		return r.ver.VerifyKeylessAttestation(l.Payload, l.Annotations, digestHex)
	}
	var env Envelope
	if err := json.Unmarshal(l.Payload, &env); err != nil {
		return nil, fmt.Errorf("%w: attestation layer is not a DSSE envelope", ErrBadSignature)
	}
	return r.ver.VerifyEnvelope(env, digestHex, "")
}
