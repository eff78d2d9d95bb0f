package sign

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	sgbundle "github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"
)

// ErrBadSignature marks a subject whose signature does not verify: a
// finding, not a tool error.
var ErrBadSignature = errors.New("signature does not verify")

// Verifier checks signatures against a public key, or (keyless) against a
// trusted root and a certificate identity.
type Verifier struct {
	key signature.Verifier

	// Keyless.
	trusted  root.TrustedMaterial
	identity verify.CertificateIdentity
}

// NewKeyVerifier verifies with a public key.
func NewKeyVerifier(pub crypto.PublicKey) (*Verifier, error) {
	v, err := signature.LoadVerifier(pub, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	return &Verifier{key: v}, nil
}

// Identity is the certificate identity keyless signatures must carry: the
// SAN exactly or matching SANRegexp, issued by Issuer.
type Identity struct {
	SAN, SANRegexp, Issuer string
}

// NewKeylessVerifier verifies Sigstore bundles whose certificate chains to
// the Fulcio CAs of trustedRootJSON (a trusted_root.json as cosign's
// --trusted-root takes), logged in one of its Rekor logs, issued to ident.
func NewKeylessVerifier(trustedRootJSON []byte, ident Identity) (*Verifier, error) {
	tr, err := root.NewTrustedRootFromJSON(trustedRootJSON)
	if err != nil {
		return nil, fmt.Errorf("trusted root: %w", err)
	}
	id, err := verify.NewShortCertificateIdentity(ident.Issuer, "", ident.SAN, ident.SANRegexp)
	if err != nil {
		return nil, err
	}
	return &Verifier{trusted: tr, identity: id}, nil
}

// Keyless reports whether v checks certificates rather than a key.
func (v *Verifier) Keyless() bool { return v.key == nil }

// VerifyBlob checks a base64 signature (as cosign sign-blob writes it) over
// data.
func (v *Verifier) VerifyBlob(data, sigB64 []byte) error {
	if v.key == nil {
		return errors.New("a .sig file verifies with a public key; keyless blobs verify through their bundle")
	}
	sig, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(sigB64)))
	if err != nil {
		return fmt.Errorf("%w: the signature is not base64", ErrBadSignature)
	}
	if err := v.key.VerifySignature(bytes.NewReader(sig), bytes.NewReader(data)); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return nil
}

// VerifyBundle checks a Sigstore bundle over data (a blob's message
// signature, or a DSSE envelope whose statement names data's SHA-256).
func (v *Verifier) VerifyBundle(data, bundleJSON []byte) error {
	pb, err := ParseBundle(bundleJSON)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if v.key == nil {
		sum := sha256.Sum256(data)
		return v.verifySigstore(pb, data, fmt.Sprintf("%x", sum[:]))
	}
	if env := pb.GetDsseEnvelope(); env != nil {
		e := Envelope{PayloadType: env.PayloadType, Payload: b64(env.Payload)}
		for _, s := range env.Signatures {
			e.Signatures = append(e.Signatures, EnvelopeSig{KeyID: s.Keyid, Sig: b64(s.Sig)})
		}
		sum := sha256.Sum256(data)
		_, err := v.VerifyEnvelope(e, fmt.Sprintf("%x", sum[:]), "")
		return err
	}
	ms := pb.GetMessageSignature()
	if ms == nil {
		return fmt.Errorf("%w: the bundle holds no signature", ErrBadSignature)
	}
	sum := sha256.Sum256(data)
	if d := ms.GetMessageDigest(); d != nil && len(d.Digest) > 0 && !bytes.Equal(d.Digest, sum[:]) {
		return fmt.Errorf("%w: the bundle signs sha256:%x, the file is sha256:%x", ErrBadSignature, d.Digest, sum[:])
	}
	if err := v.key.VerifySignature(bytes.NewReader(ms.Signature), bytes.NewReader(data)); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return nil
}

// verifySigstore checks a bundle against the trusted root and the
// identity: the certificate chains to a Fulcio CA and carries an SCT from a
// trusted CT log (when the root lists any), the log entry's inclusion
// (proof or signed entry timestamp) and that it was logged while the
// certificate was valid, the signature over artifact (a message
// signature) or the envelope's subject digest digestHex (DSSE).
func (v *Verifier) verifySigstore(pb *protobundle.Bundle, artifact []byte, digestHex string) error {
	if v.key != nil {
		return errNoTrustedRoot
	}
	b, err := sgbundle.NewBundle(pb)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	opts := []verify.VerifierOption{verify.WithTransparencyLog(1), verify.WithIntegratedTimestamps(1)}
	if len(v.trusted.CTLogs()) > 0 {
		opts = append(opts, verify.WithSignedCertificateTimestamps(1))
	}
	sv, err := verify.NewVerifier(v.trusted, opts...)
	if err != nil {
		return err
	}
	var ap verify.ArtifactPolicyOption
	if pb.GetDsseEnvelope() != nil {
		d, err := hex.DecodeString(digestHex)
		if err != nil {
			return fmt.Errorf("%w: digest %q is not hex", ErrBadSignature, digestHex)
		}
		ap = verify.WithArtifactDigest("sha256", d)
	} else {
		ap = verify.WithArtifact(bytes.NewReader(artifact))
	}
	if _, err := sv.Verify(b, verify.NewPolicy(ap, verify.WithCertificateIdentity(v.identity))); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return nil
}

// VerifyEnvelope checks a DSSE envelope's signatures (one valid is enough)
// and that its in-toto statement has a subject with sha256 digestHex and,
// when predicateType is set, that predicate type. It returns the statement.
func (v *Verifier) VerifyEnvelope(env Envelope, digestHex, predicateType string) (*Statement, error) {
	if v.key == nil {
		return nil, errors.New("DSSE envelopes outside a bundle verify with a public key")
	}
	payload, err := env.DecodePayload()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	pae := PAE(env.PayloadType, payload)
	ok := false
	for _, s := range env.Signatures {
		sig, err := base64.StdEncoding.DecodeString(s.Sig)
		if err != nil {
			continue
		}
		if v.key.VerifySignature(bytes.NewReader(sig), bytes.NewReader(pae)) == nil {
			ok = true
			break
		}
	}
	if !ok {
		return nil, fmt.Errorf("%w: no signature of the DSSE envelope verifies with the key", ErrBadSignature)
	}
	var st Statement
	if err := json.Unmarshal(payload, &st); err != nil {
		return nil, fmt.Errorf("%w: the envelope's payload is not an in-toto statement: %v", ErrBadSignature, err)
	}
	if predicateType != "" && st.PredicateType != predicateType {
		return nil, fmt.Errorf("%w: predicate type %q, want %q", ErrBadSignature, st.PredicateType, predicateType)
	}
	if !slices.ContainsFunc(st.Subject, func(s Subject) bool { return s.Digest["sha256"] == digestHex }) {
		return nil, fmt.Errorf("%w: the statement has no subject with sha256:%s", ErrBadSignature, digestHex)
	}
	return &st, nil
}

// VerifyImageSignature checks one cosign signature layer: the signature
// annotation over the payload, and the payload's manifest digest.
func (v *Verifier) VerifyImageSignature(payload []byte, sigB64, digest string) error {
	if v.key == nil {
		return errors.New("image signatures verify with a public key (keyless image verification is not supported yet)")
	}
	p, err := ParseSimpleSigning(payload)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if p.Critical.Image.DockerManifestDigest != digest {
		return fmt.Errorf("%w: the payload signs %s, not %s", ErrBadSignature, p.Critical.Image.DockerManifestDigest, digest)
	}
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil {
		return fmt.Errorf("%w: the signature annotation is not base64", ErrBadSignature)
	}
	if err := v.key.VerifySignature(bytes.NewReader(sig), bytes.NewReader(payload)); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return nil
}
