package sign

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// BundleMediaType is the media type of the Sigstore bundles Slipway writes.
const BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

// verificationMaterial is the key hint, or the certificate for keyless,
// plus the log entry when there is one.
func verificationMaterial(s *Signer, tle *TlogEntry) (*protobundle.VerificationMaterial, error) {
	vm := &protobundle.VerificationMaterial{}
	if len(s.CertPEM) > 0 {
		ders, err := s.certDER()
		if err != nil {
			return nil, err
		}
		vm.Content = &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: ders[0]}}
	} else {
		vm.Content = &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: s.KeyHint()}}
	}
	if tle != nil {
		e, err := tle.proto()
		if err != nil {
			return nil, err
		}
		vm.TlogEntries = []*protorekor.TransparencyLogEntry{e}
	}
	return vm, nil
}

// MessageBundle returns a Sigstore bundle (v0.3 JSON) for a blob signature:
// the blob's SHA-256 and the signature over it.
func MessageBundle(s *Signer, digest, sig []byte, tle *TlogEntry) ([]byte, error) {
	vm, err := verificationMaterial(s, tle)
	if err != nil {
		return nil, err
	}
	b := &protobundle.Bundle{
		MediaType:            BundleMediaType,
		VerificationMaterial: vm,
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: digest},
			Signature:     sig,
		}},
	}
	return marshalBundle(b)
}

// DSSEBundle returns a Sigstore bundle (v0.3 JSON) holding a DSSE envelope.
func DSSEBundle(s *Signer, env Envelope, tle *TlogEntry) ([]byte, error) {
	vm, err := verificationMaterial(s, tle)
	if err != nil {
		return nil, err
	}
	pe, err := env.proto()
	if err != nil {
		return nil, err
	}
	b := &protobundle.Bundle{MediaType: BundleMediaType, VerificationMaterial: vm, Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: pe}}
	return marshalBundle(b)
}

// proto converts the envelope to its protobuf form (raw payload and
// signatures).
func (e Envelope) proto() (*protodsse.Envelope, error) {
	payload, err := e.DecodePayload()
	if err != nil {
		return nil, err
	}
	pe := &protodsse.Envelope{Payload: payload, PayloadType: e.PayloadType}
	for _, sg := range e.Signatures {
		raw, err := base64.StdEncoding.DecodeString(sg.Sig)
		if err != nil {
			return nil, fmt.Errorf("DSSE signature is not base64: %w", err)
		}
		pe.Signatures = append(pe.Signatures, &protodsse.Signature{Sig: raw, Keyid: sg.KeyID})
	}
	return pe, nil
}

func marshalBundle(b *protobundle.Bundle) ([]byte, error) {
	out, err := protojson.MarshalOptions{Multiline: false}.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encoding the bundle: %w", err)
	}
	return out, nil
}

// ParseBundle reads a Sigstore bundle (v0.1 to v0.3 JSON).
func ParseBundle(data []byte) (*protobundle.Bundle, error) {
	var b protobundle.Bundle
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("not a Sigstore bundle: %w", err)
	}
	if b.GetVerificationMaterial() == nil {
		return nil, fmt.Errorf("not a Sigstore bundle: no verificationMaterial")
	}
	return &b, nil
}

// TlogEntry is a Rekor v1 log entry as the log returned it.
type TlogEntry struct {
	UUID           string
	Kind, Version  string // hashedrekord 0.0.1, dsse 0.0.1
	Body           []byte // the canonicalized entry body
	IntegratedTime int64
	LogIndex       int64
	LogID          string // hex SHA-256 of the log's public key
	SET            []byte // signed entry timestamp
	Proof          *InclusionProof
}

// InclusionProof is a Merkle inclusion proof with its signed checkpoint.
type InclusionProof struct {
	LogIndex   int64
	RootHash   string // hex
	TreeSize   int64
	Hashes     []string // hex
	Checkpoint string
}

func (t *TlogEntry) proto() (*protorekor.TransparencyLogEntry, error) {
	id, err := hex.DecodeString(t.LogID)
	if err != nil {
		return nil, fmt.Errorf("log ID %q is not hex: %w", t.LogID, err)
	}
	e := &protorekor.TransparencyLogEntry{
		LogIndex:          t.LogIndex,
		LogId:             &protocommon.LogId{KeyId: id},
		KindVersion:       &protorekor.KindVersion{Kind: t.Kind, Version: t.Version},
		IntegratedTime:    t.IntegratedTime,
		InclusionPromise:  &protorekor.InclusionPromise{SignedEntryTimestamp: t.SET},
		CanonicalizedBody: t.Body,
	}
	if p := t.Proof; p != nil {
		root, err := hex.DecodeString(p.RootHash)
		if err != nil {
			return nil, fmt.Errorf("root hash %q is not hex: %w", p.RootHash, err)
		}
		ip := &protorekor.InclusionProof{LogIndex: p.LogIndex, RootHash: root, TreeSize: p.TreeSize, Checkpoint: &protorekor.Checkpoint{Envelope: p.Checkpoint}}
		for _, h := range p.Hashes {
			hb, err := hex.DecodeString(h)
			if err != nil {
				return nil, fmt.Errorf("proof hash %q is not hex: %w", h, err)
			}
			ip.Hashes = append(ip.Hashes, hb)
		}
		e.InclusionProof = ip
	}
	return e, nil
}
