package sign

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// bundleV01MediaType is the bundle version whose log entries may carry only
// a signed entry timestamp: what cosign's layer annotations hold.
const bundleV01MediaType = "application/vnd.dev.sigstore.bundle+json;version=0.1"

// layerBundle rebuilds a Sigstore bundle from a keyless signature layer
// (the certificate and the log bundle annotations cosign writes), so that
// one verifier checks chain, SCT, log entry and identity for every format.
// content is the message signature or the DSSE envelope.
func layerBundle(ann map[string]string, content func(*protobundle.Bundle)) (*protobundle.Bundle, error) {
	certPEM := ann[AnnotationCertificate]
	if certPEM == "" {
		return nil, fmt.Errorf("%w: the layer has no certificate (%s): not a keyless signature", ErrBadSignature, AnnotationCertificate)
	}
	certs, err := cryptoutils.UnmarshalCertificatesFromPEM([]byte(certPEM))
	if err != nil || len(certs) == 0 {
		return nil, fmt.Errorf("%w: the layer's certificate is not PEM", ErrBadSignature)
	}
	vm := &protobundle.VerificationMaterial{Content: &protobundle.VerificationMaterial_X509CertificateChain{
		X509CertificateChain: &protocommon.X509CertificateChain{Certificates: []*protocommon.X509Certificate{{RawBytes: certs[0].Raw}}},
	}}
	if raw := ann[AnnotationBundle]; raw != "" {
		tle, err := parseLayerTlog(raw)
		if err != nil {
			return nil, err
		}
		vm.TlogEntries = []*protorekor.TransparencyLogEntry{tle}
	}
	b := &protobundle.Bundle{MediaType: bundleV01MediaType, VerificationMaterial: vm}
	content(b)
	return b, nil
}

// parseLayerTlog reads dev.sigstore.cosign/bundle: the SET and the entry.
func parseLayerTlog(raw string) (*protorekor.TransparencyLogEntry, error) {
	var ab struct {
		SignedEntryTimestamp string
		Payload              struct {
			Body           string `json:"body"`
			IntegratedTime int64  `json:"integratedTime"`
			LogIndex       int64  `json:"logIndex"`
			LogID          string `json:"logID"`
		}
	}
	if err := json.Unmarshal([]byte(raw), &ab); err != nil {
		return nil, fmt.Errorf("%w: the log bundle annotation: %v", ErrBadSignature, err)
	}
	body, err := base64.StdEncoding.DecodeString(ab.Payload.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: the log entry body is not base64", ErrBadSignature)
	}
	set, err := base64.StdEncoding.DecodeString(ab.SignedEntryTimestamp)
	if err != nil {
		return nil, fmt.Errorf("%w: the signed entry timestamp is not base64", ErrBadSignature)
	}
	var kv struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(body, &kv); err != nil {
		return nil, fmt.Errorf("%w: the log entry body: %v", ErrBadSignature, err)
	}
	t := &TlogEntry{Kind: kv.Kind, Version: kv.APIVersion, Body: body, IntegratedTime: ab.Payload.IntegratedTime,
		LogIndex: ab.Payload.LogIndex, LogID: ab.Payload.LogID, SET: set}
	return t.proto()
}

// VerifyKeylessImageSignature checks a keyless cosign signature layer over
// payload (a simple-signing payload that must name digest).
func (v *Verifier) VerifyKeylessImageSignature(payload []byte, ann map[string]string, digest string) error {
	p, err := ParseSimpleSigning(payload)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if p.Critical.Image.DockerManifestDigest != digest {
		return fmt.Errorf("%w: the payload signs %s, not %s", ErrBadSignature, p.Critical.Image.DockerManifestDigest, digest)
	}
	sig, err := base64.StdEncoding.DecodeString(ann[AnnotationSignature])
	if err != nil || len(sig) == 0 {
		return fmt.Errorf("%w: the signature annotation is missing or not base64", ErrBadSignature)
	}
	sum := sha256.Sum256(payload)
	b, err := layerBundle(ann, func(b *protobundle.Bundle) {
		b.Content = &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: sum[:]}, Signature: sig,
		}}
	})
	if err != nil {
		return err
	}
	return v.verifySigstore(b, payload, "")
}

// VerifyKeylessAttestation checks a keyless attestation layer (a DSSE
// envelope) whose statement must have a subject with sha256 digestHex, and
// returns the statement.
func (v *Verifier) VerifyKeylessAttestation(envelopeJSON []byte, ann map[string]string, digestHex string) (*Statement, error) {
	var env Envelope
	if err := json.Unmarshal(envelopeJSON, &env); err != nil {
		return nil, fmt.Errorf("%w: the attestation layer is not a DSSE envelope", ErrBadSignature)
	}
	pe, err := env.proto()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	b, err := layerBundle(ann, func(b *protobundle.Bundle) { b.Content = &protobundle.Bundle_DsseEnvelope{DsseEnvelope: pe} })
	if err != nil {
		return nil, err
	}
	if err := v.verifySigstore(b, nil, digestHex); err != nil {
		return nil, err
	}
	var st Statement
	if err := json.Unmarshal(pe.Payload, &st); err != nil {
		return nil, fmt.Errorf("%w: the envelope's payload is not an in-toto statement: %v", ErrBadSignature, err)
	}
	return &st, nil
}

// errNoTrustedRoot is a keyless check attempted by a key verifier.
var errNoTrustedRoot = errors.New("a keyless signature verifies against a trusted root, not a public key")
