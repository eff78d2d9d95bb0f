package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// Public Sigstore endpoints, the defaults of fulcio-url, rekor-url and
// oidc-issuer.
const (
	DefaultFulcioURL  = "https://fulcio.sigstore.dev"
	DefaultRekorURL   = "https://rekor.sigstore.dev"
	DefaultOIDCIssuer = "https://token.actions.githubusercontent.com"
	OIDCAudience      = "sigstore"
)

// ErrNoIDToken marks a keyless run without the GitHub OIDC token variables.
var ErrNoIDToken = errors.New("no GitHub OIDC token: the job needs `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are unset)")

// GitHubIDToken asks the Actions runtime for an OIDC token for audience:
// GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=AUD with the request token as
// bearer. getenv reads the two variables.
func GitHubIDToken(ctx context.Context, getenv func(string) string, client *http.Client, retry Retry, audience string) (string, error) {
	reqURL, reqTok := getenv("ACTIONS_ID_TOKEN_REQUEST_URL"), getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
	if reqURL == "" || reqTok == "" {
		return "", ErrNoIDToken
	}
	u, err := url.Parse(reqURL)
	if err != nil {
		return "", fmt.Errorf("ACTIONS_ID_TOKEN_REQUEST_URL: %w", err)
	}
	q := u.Query()
	q.Set("audience", audience)
	u.RawQuery = q.Encode()
	s := &service{name: "the GitHub OIDC token endpoint", client: client, retry: retry}
	body, _, _, err := s.do(ctx, func() (*http.Request, error) {
		req, err := http.NewRequest(http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+reqTok)
		req.Header.Set("Accept", "application/json")
		return req, nil
	})
	if err != nil {
		return "", err
	}
	var doc struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.Value == "" {
		return "", fmt.Errorf("the GitHub OIDC token endpoint answered without a token")
	}
	return doc.Value, nil
}

// TokenClaims returns the unverified issuer and subject of a JWT (Fulcio
// verifies the token; these only name the identity and sign the proof of
// possession).
func TokenClaims(token string) (issuer, subject string, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", "", errors.New("the OIDC token is not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", "", fmt.Errorf("the OIDC token's claims are not base64url: %w", err)
	}
	var c struct {
		Iss   string `json:"iss"`
		Sub   string `json:"sub"`
		Email string `json:"email"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return "", "", fmt.Errorf("the OIDC token's claims: %w", err)
	}
	if c.Email != "" {
		c.Sub = c.Email
	}
	return c.Iss, c.Sub, nil
}

// Fulcio is a client of the Fulcio v2 API (POST /api/v2/signingCert).
type Fulcio struct {
	URL string
	svc *service
}

// NewFulcio returns a Fulcio client for baseURL.
func NewFulcio(baseURL string, client *http.Client, retry Retry) *Fulcio {
	return &Fulcio{URL: strings.TrimSuffix(baseURL, "/"), svc: &service{name: "Fulcio at " + baseURL, client: client, retry: retry}}
}

// NewKeylessSigner makes an ephemeral ECDSA P-256 key and has Fulcio
// certify it for the identity of token: the proof of possession is the
// key's signature over the token's subject.
func NewKeylessSigner(ctx context.Context, f *Fulcio, token string) (*Signer, error) {
	_, sub, err := TokenClaims(token)
	if err != nil {
		return nil, err
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	sv, err := signature.LoadECDSASignerVerifier(priv, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	s, err := newSigner(SignerKeyless, sv, priv.Public())
	if err != nil {
		return nil, err
	}
	pop, err := s.Sign(ctx, []byte(sub))
	if err != nil {
		return nil, err
	}
	reqBody, err := json.Marshal(map[string]any{
		"credentials": map[string]string{"oidcIdentityToken": token},
		"publicKeyRequest": map[string]any{
			"publicKey":         map[string]string{"algorithm": "ECDSA", "content": string(s.pubPEM)},
			"proofOfPossession": b64(pop),
		},
	})
	if err != nil {
		return nil, err
	}
	body, _, _, err := f.svc.do(ctx, func() (*http.Request, error) {
		req, err := http.NewRequest(http.MethodPost, f.URL+"/api/v2/signingCert", bytes.NewReader(reqBody))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		return req, nil
	})
	if err != nil {
		return nil, fmt.Errorf("getting a signing certificate: %w", err)
	}
	var resp struct {
		Embedded struct {
			Chain struct {
				Certificates []string `json:"certificates"`
			} `json:"chain"`
		} `json:"signedCertificateEmbeddedSct"`
		Detached struct {
			Chain struct {
				Certificates []string `json:"certificates"`
			} `json:"chain"`
		} `json:"signedCertificateDetachedSct"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("Fulcio's answer: %w", err)
	}
	certs := resp.Embedded.Chain.Certificates
	if len(certs) == 0 {
		certs = resp.Detached.Chain.Certificates
	}
	if len(certs) == 0 {
		return nil, errors.New("Fulcio's answer holds no certificate")
	}
	leaf, err := cryptoutils.UnmarshalCertificatesFromPEM([]byte(certs[0]))
	if err != nil || len(leaf) == 0 {
		return nil, fmt.Errorf("Fulcio's certificate is not PEM: %v", err)
	}
	if err := cryptoutils.EqualKeys(leaf[0].PublicKey, priv.Public()); err != nil {
		return nil, fmt.Errorf("Fulcio certified another key: %w", err)
	}
	s.CertPEM = []byte(certs[0])
	s.ChainPEM = []byte(strings.Join(certs[1:], ""))
	return s, nil
}
