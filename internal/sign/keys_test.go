package sign

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestKeyPairRoundTrip(t *testing.T) {
	t.Parallel()
	kp, err := GenerateKeyPair([]byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(kp.PrivatePEM, []byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----")) || !bytes.HasPrefix(kp.PublicPEM, []byte("-----BEGIN PUBLIC KEY-----")) {
		t.Fatalf("PEM types:\n%s\n%s", kp.PrivatePEM, kp.PublicPEM)
	}
	priv, err := DecryptPrivateKey(kp.PrivatePEM, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewKeySigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := s.Sign(context.Background(), []byte("data"))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey(kp.PublicPEM)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := NewKeyVerifier(pub)
	if err := v.VerifyBlob([]byte("data"), []byte(b64(sig))); err != nil {
		t.Fatal(err)
	}
	if err := v.VerifyBlob([]byte("dat4"), []byte(b64(sig))); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered data: %v, want ErrBadSignature", err)
	}
	for _, tc := range []struct {
		name string
		pem  []byte
		pw   string
		want error
	}{
		{"wrong password", kp.PrivatePEM, "nope", ErrWrongPassword},
		{"not PEM", []byte("garbage"), "pw", ErrBadKey},
		{"public key", kp.PublicPEM, "pw", ErrBadKey},
		{"corrupt", bytes.Replace(kp.PrivatePEM, []byte("ey"), []byte("xx"), 1), "pw", ErrBadKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := DecryptPrivateKey(tc.pem, []byte(tc.pw)); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestCheckKMSURI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		uri string
		ok  bool
	}{
		{"awskms:///arn:aws:kms:us-east-1:111122223333:key/1234abcd", true},
		{"awskms://localhost:4566/alias/x", true},
		{"gcpkms://projects/p/locations/global/keyRings/r/cryptoKeys/k", true},
		{"gcpkms://projects/p/keyRings/r", false},
		{"azurekms://myvault.vault.azure.net/key", true},
		{"azurekms://myvault", false},
		{"hashivault://release", true},
		{"hashivault://a/b", false},
		{"pkcs11://slot", false},
		{"release", false},
		{"awskms://", false},
	} {
		t.Run(tc.uri, func(t *testing.T) {
			t.Parallel()
			err := CheckKMSURI(tc.uri)
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrBadKMSURI)) {
				t.Fatalf("CheckKMSURI(%q) = %v, want ok=%v", tc.uri, err, tc.ok)
			}
		})
	}
}

// TestKMSDispatch: no Vault, AWS, GCP or Azure KMS runs here, so this shows
// dispatch only: a well-formed URI reaches sigstore's provider for its scheme: the
// hashivault provider needs VAULT_ADDR and a token, so opening fails there,
// not in the URI check.
func TestKMSDispatch(t *testing.T) {
	t.Setenv("VAULT_ADDR", "http://127.0.0.1:1")
	t.Setenv("VAULT_TOKEN", "")
	_, err := NewKMSSigner(context.Background(), "hashivault://release")
	if err == nil || errors.Is(err, ErrBadKMSURI) {
		t.Fatalf("NewKMSSigner(hashivault://release) = %v, want a provider error", err)
	}
}
