package sign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// PEM block types of cosign's key files. cosign writes
// SigstorePrivateKeyType and still reads CosignPrivateKeyType.
const (
	SigstorePrivateKeyType = "ENCRYPTED SIGSTORE PRIVATE KEY"
	CosignPrivateKeyType   = "ENCRYPTED COSIGN PRIVATE KEY"
	PublicKeyType          = "PUBLIC KEY"
)

// Errors a caller turns into usage errors.
var (
	// ErrWrongPassword marks a key file that does not decrypt with the password.
	ErrWrongPassword = errors.New("wrong password for the key")
	// ErrBadKey marks key material that is corrupt or of an unsupported type.
	ErrBadKey = errors.New("unusable key")
)

// KeyPair is a cosign key pair as cosign generate-key-pair writes it: the
// private key as PKCS#8 encrypted with scrypt and NaCl secretbox under a
// password (the JSON document of go-securesystemslib's encrypted package in
// an ENCRYPTED SIGSTORE PRIVATE KEY PEM block), the public key as PKIX PEM.
type KeyPair struct {
	PrivatePEM []byte
	PublicPEM  []byte
}

// GenerateKeyPair makes an ECDSA P-256 key pair in cosign's format.
func GenerateKeyPair(password []byte) (KeyPair, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return KeyPair{}, fmt.Errorf("generating a key: %w", err)
	}
	return EncodeKeyPair(priv, password)
}

// EncodeKeyPair encrypts priv under password in cosign's format.
func EncodeKeyPair(priv crypto.Signer, password []byte) (KeyPair, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return KeyPair{}, fmt.Errorf("encoding the private key: %w", err)
	}
	enc, err := encrypted.Encrypt(der, password)
	if err != nil {
		return KeyPair{}, fmt.Errorf("encrypting the private key: %w", err)
	}
	pub, err := cryptoutils.MarshalPublicKeyToPEM(priv.Public())
	if err != nil {
		return KeyPair{}, fmt.Errorf("encoding the public key: %w", err)
	}
	return KeyPair{PrivatePEM: pem.EncodeToMemory(&pem.Block{Type: SigstorePrivateKeyType, Bytes: enc}), PublicPEM: pub}, nil
}

// DecryptPrivateKey reads a cosign private key file's contents. A wrong
// password wraps ErrWrongPassword; anything else wrong with the key wraps
// ErrBadKey.
func DecryptPrivateKey(pemBytes, password []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block (want %s)", ErrBadKey, SigstorePrivateKeyType)
	}
	if block.Type != SigstorePrivateKeyType && block.Type != CosignPrivateKeyType {
		return nil, fmt.Errorf("%w: PEM block %q is not a cosign key (want %s)", ErrBadKey, block.Type, SigstorePrivateKeyType)
	}
	der, err := encrypted.Decrypt(block.Bytes, password)
	if err != nil {
		if err.Error() == "encrypted: decryption failed" { // the package has no sentinel
			return nil, ErrWrongPassword
		}
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		return k, nil
	case *rsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("%w: %T keys are not supported (ECDSA, RSA and Ed25519 are)", ErrBadKey, k)
}

// ParsePublicKey reads a PKIX PUBLIC KEY PEM (as cosign.pub) or the public
// key of a CERTIFICATE PEM.
func ParsePublicKey(pemBytes []byte) (crypto.PublicKey, error) {
	k, err := cryptoutils.UnmarshalPEMToPublicKey(pemBytes)
	if err == nil {
		return k, nil
	}
	certs, cerr := cryptoutils.UnmarshalCertificatesFromPEM(pemBytes)
	if cerr == nil && len(certs) > 0 {
		return certs[0].PublicKey, nil
	}
	return nil, fmt.Errorf("%w: not a PEM public key or certificate: %v", ErrBadKey, err)
}
