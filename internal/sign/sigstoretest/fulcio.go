package sigstoretest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	ct "github.com/google/certificate-transparency-go"
	cttls "github.com/google/certificate-transparency-go/tls"
	ctx509 "github.com/google/certificate-transparency-go/x509"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// Fulcio's certificate extensions and the CT ones.
var (
	oidIssuerV1 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}
	oidIssuerV2 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}
	oidCTPoison = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 3}
	oidSCTList  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2}
)

// ca is a root, a Fulcio intermediate and a CT log key.
type ca struct {
	root, inter *x509.Certificate
	interKey    *ecdsa.PrivateKey
	ctKey       *ecdsa.PrivateKey
	serial      int64
}

func newCA(now time.Time) (*ca, error) {
	rootKey, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "slipway-test-root", Organization: []string{"sigstore.test"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, rootKey.Public(), rootKey)
	if err != nil {
		return nil, err
	}
	root, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	c := &ca{root: root, serial: 1}
	if c.interKey, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
		return nil, err
	}
	itmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "slipway-test-intermediate", Organization: []string{"sigstore.test"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
	}
	if der, err = x509.CreateCertificate(rand.Reader, itmpl, root, c.interKey.Public(), rootKey); err != nil {
		return nil, err
	}
	if c.inter, err = x509.ParseCertificate(der); err != nil {
		return nil, err
	}
	if c.ctKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	return c, nil
}

// signingCert is POST /api/v2/signingCert.
func (s *Sigstore) signingCert(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/v2/signingCert" {
		http.NotFound(w, r)
		return
	}
	var req struct {
		Credentials struct {
			OIDCIdentityToken string `json:"oidcIdentityToken"`
		} `json:"credentials"`
		PublicKeyRequest struct {
			PublicKey struct {
				Algorithm string `json:"algorithm"`
				Content   string `json:"content"`
			} `json:"publicKey"`
			ProofOfPossession string `json:"proofOfPossession"`
		} `json:"publicKeyRequest"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return
	}
	tok := req.Credentials.OIDCIdentityToken
	if tok == "" {
		tok = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	claims, err := s.verifyToken(tok, time.Now())
	if err != nil {
		http.Error(w, "invalid identity token: "+err.Error(), http.StatusUnauthorized)
		return
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey([]byte(req.PublicKeyRequest.PublicKey.Content))
	if err != nil {
		http.Error(w, "bad public key: "+err.Error(), http.StatusBadRequest)
		return
	}
	pop, err := base64.StdEncoding.DecodeString(req.PublicKeyRequest.ProofOfPossession)
	if err != nil {
		http.Error(w, "proof of possession is not base64", http.StatusBadRequest)
		return
	}
	v, err := signature.LoadVerifier(pub, crypto.SHA256)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := v.VerifySignature(bytes.NewReader(pop), strings.NewReader(claims.Sub)); err != nil {
		http.Error(w, "proof of possession does not verify over the token's subject", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.ca.serial++
	serial := s.ca.serial
	s.mu.Unlock()
	leaf, err := s.ca.issue(pub, "https://github.com/"+claims.JobWorkflowRef, claims.Iss, serial, time.Now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var chain []string
	for _, der := range [][]byte{leaf, s.ca.inter.Raw, s.ca.root.Raw} {
		chain = append(chain, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"signedCertificateEmbeddedSct": map[string]any{"chain": map[string]any{"certificates": chain}}})
}

// issue makes a 10-minute code-signing certificate for pub with the
// identity as URI SAN and the issuer in Fulcio's extensions, with an SCT
// from the CT log embedded, as Fulcio does: a precertificate (poisoned) is
// "logged", and its SCT goes into the final certificate in its place.
func (c *ca) issue(pub crypto.PublicKey, identity, issuer string, serial int64, now time.Time) ([]byte, error) {
	san, err := url.Parse(identity)
	if err != nil {
		return nil, err
	}
	issuerV2, err := asn1.MarshalWithParams(issuer, "utf8")
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), NotBefore: now.Add(-time.Second), NotAfter: now.Add(10 * time.Minute),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		URIs: []*url.URL{san},
		ExtraExtensions: []pkix.Extension{
			{Id: oidIssuerV1, Value: []byte(issuer)},
			{Id: oidIssuerV2, Value: issuerV2},
			{Id: oidCTPoison, Critical: true, Value: asn1.NullBytes},
		},
	}
	pre, err := x509.CreateCertificate(rand.Reader, tmpl, c.inter, pub, c.interKey)
	if err != nil {
		return nil, err
	}
	sctExt, err := c.sct(pre, now)
	if err != nil {
		return nil, err
	}
	tmpl.ExtraExtensions[2] = pkix.Extension{Id: oidSCTList, Value: sctExt}
	return x509.CreateCertificate(rand.Reader, tmpl, c.inter, pub, c.interKey)
}

// sct returns the SCT list extension's value for a precertificate.
func (c *ca) sct(preDER []byte, now time.Time) ([]byte, error) {
	pre, err := ctx509.ParseCertificate(preDER)
	if err != nil {
		return nil, err
	}
	tbs, err := ctx509.RemoveCTPoison(pre.RawTBSCertificate)
	if err != nil {
		return nil, err
	}
	id, _, err := logID(c.ctKey.Public())
	if err != nil {
		return nil, err
	}
	sct := ct.SignedCertificateTimestamp{SCTVersion: ct.V1, Timestamp: uint64(now.UnixMilli())}
	copy(sct.LogID.KeyID[:], id)
	entry := ct.LogEntry{Leaf: ct.MerkleTreeLeaf{
		Version: ct.V1, LeafType: ct.TimestampedEntryLeafType,
		TimestampedEntry: &ct.TimestampedEntry{
			Timestamp: sct.Timestamp, EntryType: ct.PrecertLogEntryType,
			PrecertEntry: &ct.PreCert{IssuerKeyHash: sha256.Sum256(c.inter.RawSubjectPublicKeyInfo), TBSCertificate: tbs},
		},
	}}
	input, err := ct.SerializeSCTSignatureInput(sct, entry)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(input)
	sig, err := ecdsa.SignASN1(rand.Reader, c.ctKey, sum[:])
	if err != nil {
		return nil, err
	}
	sct.Signature = ct.DigitallySigned{Algorithm: cttls.SignatureAndHashAlgorithm{Hash: cttls.SHA256, Signature: cttls.ECDSA}, Signature: sig}
	raw, err := cttls.Marshal(sct)
	if err != nil {
		return nil, err
	}
	list, err := cttls.Marshal(ctx509.SignedCertificateTimestampList{SCTList: []ctx509.SerializedSCT{{Val: raw}}})
	if err != nil {
		return nil, fmt.Errorf("SCT list: %w", err)
	}
	return asn1.Marshal(list)
}
