package sigstoretest

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// TrustedRootJSON is the services' trusted_root.json: the CA chain, the
// Rekor log key and the CT log key, valid from an hour before Start.
func (s *Sigstore) TrustedRootJSON(t testing.TB) []byte {
	t.Helper()
	from := s.start.Add(-time.Hour)
	ca := &root.FulcioCertificateAuthority{Root: s.ca.root, Intermediates: []*x509.Certificate{s.ca.inter}, ValidityPeriodStart: from, URI: s.FulcioURL}
	ctID, ctHex, err := logID(s.ca.ctKey.Public())
	if err != nil {
		t.Fatal(err)
	}
	ctlogs := map[string]*root.TransparencyLog{ctHex: {
		BaseURL: "https://ctfe.sigstore.test", ID: ctID, ValidityPeriodStart: from,
		HashFunc: crypto.SHA256, PublicKey: s.ca.ctKey.Public(), SignatureHashFunc: crypto.SHA256,
	}}
	rekor := map[string]*root.TransparencyLog{s.log.idHex: {
		BaseURL: s.RekorURL, ID: s.log.id, ValidityPeriodStart: from,
		HashFunc: crypto.SHA256, PublicKey: s.log.key.Public(), SignatureHashFunc: crypto.SHA256,
	}}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, []root.CertificateAuthority{ca}, ctlogs, nil, rekor)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Files writes the PEM files cosign reads for a private deployment when it
// verifies the older formats (image signatures in .sig tags): the CA chain
// (SIGSTORE_ROOT_FILE), the Rekor key (SIGSTORE_REKOR_PUBLIC_KEY) and the CT
// log key (SIGSTORE_CT_LOG_PUBLIC_KEY_FILE). It returns those variables.
func (s *Sigstore) Files(t testing.TB, dir string) map[string]string {
	t.Helper()
	chain := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.ca.inter.Raw}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.ca.root.Raw})...)
	env := map[string]string{}
	for name, v := range map[string]struct {
		file string
		data func() ([]byte, error)
	}{
		"SIGSTORE_ROOT_FILE":              {"fulcio-chain.pem", func() ([]byte, error) { return chain, nil }},
		"SIGSTORE_REKOR_PUBLIC_KEY":       {"rekor.pub", func() ([]byte, error) { return cryptoutils.MarshalPublicKeyToPEM(s.log.key.Public()) }},
		"SIGSTORE_CT_LOG_PUBLIC_KEY_FILE": {"ctlog.pub", func() ([]byte, error) { return cryptoutils.MarshalPublicKeyToPEM(s.ca.ctKey.Public()) }},
	} {
		data, err := v.data()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, v.file)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		env[name] = p
	}
	return env
}
