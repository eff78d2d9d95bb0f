package sign

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/sigstore/sigstore/pkg/signature/kms"
	// The KMS providers register their URI schemes with kms.
	_ "github.com/sigstore/sigstore/pkg/signature/kms/aws"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/azure"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/gcp"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/hashivault"
)

// KMSSchemes are the key URI schemes the kms signer takes, each served by a
// sigstore KMS provider.
var KMSSchemes = []string{"awskms://", "gcpkms://", "azurekms://", "hashivault://"}

// ErrBadKMSURI marks a key URI no KMS provider takes.
var ErrBadKMSURI = errors.New("unsupported KMS key URI")

// CheckKMSURI checks a key URI's scheme and shape before any provider is
// contacted: awskms:///ARN or awskms://ENDPOINT/ID, gcpkms://projects/P/
// locations/L/keyRings/R/cryptoKeys/K[/versions/V], azurekms://VAULT/KEY,
// hashivault://KEYNAME.
func CheckKMSURI(uri string) error {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return fmt.Errorf("%w: %q has no scheme: use one of %s", ErrBadKMSURI, uri, strings.Join(KMSSchemes, ", "))
	}
	switch scheme {
	case "awskms":
		if rest == "" || rest == "/" {
			return fmt.Errorf("%w: %q names no key: awskms:///arn:aws:kms:REGION:ACCOUNT:key/ID or awskms:///alias/NAME", ErrBadKMSURI, uri)
		}
	case "gcpkms":
		parts := strings.Split(rest, "/")
		if len(parts) < 8 || parts[0] != "projects" || parts[2] != "locations" || parts[4] != "keyRings" || parts[6] != "cryptoKeys" {
			return fmt.Errorf("%w: %q: want gcpkms://projects/P/locations/L/keyRings/R/cryptoKeys/K[/cryptoKeyVersions/V]", ErrBadKMSURI, uri)
		}
	case "azurekms":
		host, key, _ := strings.Cut(rest, "/")
		if host == "" || key == "" {
			return fmt.Errorf("%w: %q: want azurekms://VAULT.vault.azure.net/KEY", ErrBadKMSURI, uri)
		}
	case "hashivault":
		if rest == "" || strings.Contains(rest, "/") {
			return fmt.Errorf("%w: %q: want hashivault://KEYNAME", ErrBadKMSURI, uri)
		}
	default:
		return fmt.Errorf("%w: scheme %q of %q: use one of %s", ErrBadKMSURI, scheme+"://", uri, strings.Join(KMSSchemes, ", "))
	}
	if _, err := url.Parse(uri); err != nil {
		return fmt.Errorf("%w: %v", ErrBadKMSURI, err)
	}
	return nil
}

// NewKMSSigner opens the KMS key at uri through sigstore's provider for its
// scheme (credentials come from the provider's usual environment:
// AWS_*, GOOGLE_APPLICATION_CREDENTIALS, AZURE_*, VAULT_ADDR/VAULT_TOKEN).
func NewKMSSigner(ctx context.Context, uri string) (*Signer, error) {
	if err := CheckKMSURI(uri); err != nil {
		return nil, err
	}
	sv, err := kms.Get(ctx, uri, crypto.SHA256)
	if err != nil {
		var pnf *kms.ProviderNotFoundError
		if errors.As(err, &pnf) {
			return nil, fmt.Errorf("%w: %v", ErrBadKMSURI, err)
		}
		return nil, fmt.Errorf("opening the KMS key %s: %w", uri, err)
	}
	pub, err := sv.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("reading the public key of %s: %w", uri, err)
	}
	return newSigner(SignerKMS, sv, pub)
}
