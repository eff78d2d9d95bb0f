package sigstoretest

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"
)

// token is the Actions runtime's token endpoint: GET with the request
// token as bearer and ?audience=; answers {"value": JWT}.
func (s *Sigstore) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.Path != "/token" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.RequestToken {
		http.Error(w, "bad request token", http.StatusUnauthorized)
		return
	}
	aud := r.URL.Query().Get("audience")
	if aud == "" {
		http.Error(w, "no audience", http.StatusBadRequest)
		return
	}
	jwt, err := s.IDToken(aud, time.Now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"value": jwt})
}

// IDToken issues an ES256 JWT as GitHub's OIDC provider does for a job.
func (s *Sigstore) IDToken(audience string, now time.Time) (string, error) {
	claims := map[string]any{
		"iss": s.Issuer, "aud": audience, "sub": s.Subject,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
		"job_workflow_ref": s.workflowRef, "repository": "slipway-dev/hello", "ref": "refs/heads/main",
		"sha": "0123456789abcdef0123456789abcdef01234567", "event_name": "push", "runner_environment": "github-hosted",
	}
	return signJWT(s.oidc, claims)
}

func signJWT(key *ecdsa.PrivateKey, claims map[string]any) (string, error) {
	hdr, err := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT", "kid": "slipway-test"})
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	msg := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(body)
	sum := sha256.Sum256([]byte(msg))
	r, sv, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	sv.FillBytes(sig[32:])
	return msg + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// tokenClaims are the claims Fulcio reads.
type tokenClaims struct {
	Iss, Sub       string
	Aud            any
	Exp            int64
	JobWorkflowRef string `json:"job_workflow_ref"`
}

// verifyToken checks an ID token as Fulcio does: signature by the
// issuer's key, issuer, audience sigstore, not expired.
func (s *Sigstore) verifyToken(jwt string, now time.Time) (tokenClaims, error) {
	var c tokenClaims
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return c, errors.New("the token is not a JWT")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return c, errors.New("the token's signature is not ES256")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(&s.oidc.PublicKey, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return c, errors.New("the token's signature does not verify with the issuer's key")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, err
	}
	if c.Iss != s.Issuer {
		return c, fmt.Errorf("unknown issuer %q", c.Iss)
	}
	var auds []string
	switch a := c.Aud.(type) {
	case string:
		auds = []string{a}
	case []any:
		for _, x := range a {
			if xs, ok := x.(string); ok {
				auds = append(auds, xs)
			}
		}
	}
	if !slices.Contains(auds, "sigstore") {
		return c, fmt.Errorf("audience %v is not sigstore", c.Aud)
	}
	if now.Unix() >= c.Exp {
		return c, errors.New("the token has expired")
	}
	if c.JobWorkflowRef == "" {
		return c, errors.New("the token has no job_workflow_ref")
	}
	return c, nil
}
