package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/options"
)

// Signer kinds (the signer input).
const (
	SignerKey     = "key"
	SignerKMS     = "kms"
	SignerKeyless = "keyless"
)

// Signer signs messages: the signature covers SHA-256 of the message (ECDSA
// ASN.1, RSA PKCS#1 v1.5, or Ed25519 over the message itself), as cosign's
// signatures do.
type Signer struct {
	Kind   string
	sv     signature.SignerVerifier
	pub    crypto.PublicKey
	pubPEM []byte
	// Keyless only: the Fulcio certificate and its chain (PEM), issued for
	// pub to the identity of the OIDC token.
	CertPEM  []byte
	ChainPEM []byte
}

// NewKeySigner signs with a private key.
func NewKeySigner(priv crypto.Signer) (*Signer, error) {
	sv, err := signature.LoadSignerVerifier(priv, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	return newSigner(SignerKey, sv, priv.Public())
}

func newSigner(kind string, sv signature.SignerVerifier, pub crypto.PublicKey) (*Signer, error) {
	p, err := cryptoutils.MarshalPublicKeyToPEM(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	return &Signer{Kind: kind, sv: sv, pub: pub, pubPEM: p}, nil
}

// Sign signs msg.
func (s *Signer) Sign(ctx context.Context, msg []byte) ([]byte, error) {
	sig, err := s.sv.SignMessage(bytes.NewReader(msg), options.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("signing with the %s signer: %w", s.Kind, err)
	}
	return sig, nil
}

// PublicKey returns the signer's public key.
func (s *Signer) PublicKey() crypto.PublicKey { return s.pub }

// PublicKeyPEM returns the public key as PKIX PEM.
func (s *Signer) PublicKeyPEM() []byte { return bytes.Clone(s.pubPEM) }

// VerifierPEM is what verifies this signer's signatures: the certificate for
// keyless, else the public key.
func (s *Signer) VerifierPEM() []byte {
	if len(s.CertPEM) > 0 {
		return bytes.Clone(s.CertPEM)
	}
	return s.PublicKeyPEM()
}

// KeyHint is the base64 SHA-256 of the public key's DER, the hint a bundle
// records for a key signature.
func (s *Signer) KeyHint() string {
	der, err := x509.MarshalPKIXPublicKey(s.pub)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	return b64(sum[:])
}

// certDER returns the DER of the leaf and chain certificates (keyless).
func (s *Signer) certDER() ([][]byte, error) {
	var out [][]byte
	rest := append(bytes.Clone(s.CertPEM), s.ChainPEM...)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		out = append(out, b.Bytes)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no certificate")
	}
	return out, nil
}
