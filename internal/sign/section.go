package sign

import (
	"encoding/json"
	"fmt"

	"github.com/slipway-dev/slipway/internal/manifest"
)

// Artifact kinds sign adds to the manifest.
const (
	KindSignature   manifest.Kind = "signature"   // <file>.sig: base64, as cosign sign-blob writes it
	KindCertificate manifest.Kind = "certificate" // <file>.pem: the Fulcio certificate (keyless)
	KindBundle      manifest.Kind = "bundle"      // <file>.sigstore.json: a Sigstore bundle v0.3
	KindPublicKey   manifest.Kind = "public-key"  // the public key that verifies the signatures
)

// Record kinds.
const (
	SubjectBlob        = "blob"
	SubjectImage       = "image"
	SubjectIndex       = "image-index"
	SubjectAttestation = "attestation"
)

// Record is one signature or attestation in the manifest's signatures
// section.
type Record struct {
	Subject       string `json:"subject"`               // a dist-relative path, or repo@digest
	Kind          string `json:"kind"`                  // blob, image, image-index, attestation
	Digest        string `json:"digest"`                // sha256:<hex> of the subject
	Signer        string `json:"signer"`                // key, kms, keyless
	Signature     string `json:"signature,omitempty"`   // .sig path (dist-relative), or the registry ref holding it
	Certificate   string `json:"certificate,omitempty"` // .pem path (keyless)
	Bundle        string `json:"bundle,omitempty"`      // .sigstore.json path (dist-relative)
	Storage       string `json:"storage,omitempty"`     // images: tag or referrers
	PredicateType string `json:"predicateType,omitempty"`
	LogIndex      *int64 `json:"logIndex,omitempty"` // Rekor, when logged
	Identity      string `json:"identity,omitempty"` // keyless: the certificate's subject
}

// ReadSection decodes the manifest's signatures section (nil when absent).
func ReadSection(m *manifest.Manifest) ([]Record, error) {
	if len(m.Signatures) == 0 {
		return nil, nil
	}
	var rs []Record
	if err := json.Unmarshal(m.Signatures, &rs); err != nil {
		return nil, fmt.Errorf("signatures section: %w", err)
	}
	return rs, nil
}
