// Package sigstoretest runs a private Sigstore on 127.0.0.1 for tests: a
// GitHub-Actions-style OIDC token endpoint, a Fulcio v2 CA
// (/api/v2/signingCert) that checks the token and the proof of possession
// and issues certificates with embedded SCTs from its own CT log key, and a
// Rekor v1 log (/api/v1/log/entries) that validates and canonicalizes
// entries with Rekor's own types, keeps a Merkle tree and answers with
// signed entry timestamps, inclusion proofs and signed checkpoints. Its
// trusted_root.json is what `cosign --trusted-root` and sigstore-go take.
//
// Any service can be told to fail its next requests (Fail) to test retries.
package sigstoretest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Service names for Fail and Requests.
const (
	OIDC   = "oidc"
	Fulcio = "fulcio"
	Rekor  = "rekor"
)

// Sigstore is the running set of services.
type Sigstore struct {
	// TokenURL and RequestToken are ACTIONS_ID_TOKEN_REQUEST_URL and
	// ACTIONS_ID_TOKEN_REQUEST_TOKEN.
	TokenURL, RequestToken string
	FulcioURL, RekorURL    string
	// Issuer is the tokens' iss; Identity the certificates' URI SAN (the
	// workflow URL, as Fulcio writes it for GitHub tokens).
	Issuer, Identity string
	// Subject is the tokens' sub claim.
	Subject string

	workflowRef string
	start       time.Time
	ca          *ca
	log         *tlog
	oidc        *ecdsa.PrivateKey

	mu       sync.Mutex
	faults   map[string][]fault
	requests map[string]int
}

type fault struct {
	status     int
	retryAfter int // seconds; <0: no header
}

// Options change what Start sets up.
type Options struct {
	// WorkflowRef is the token's job_workflow_ref (default
	// slipway-dev/hello/.github/workflows/release.yml@refs/heads/main).
	WorkflowRef string
}

// Start runs the services until the test ends.
func Start(t testing.TB, opts Options) *Sigstore {
	t.Helper()
	if opts.WorkflowRef == "" {
		opts.WorkflowRef = "slipway-dev/hello/.github/workflows/release.yml@refs/heads/main"
	}
	s := &Sigstore{start: time.Now(), faults: map[string][]fault{}, requests: map[string]int{},
		Subject: "repo:slipway-dev/hello:ref:refs/heads/main"}
	var err error
	if s.oidc, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if s.ca, err = newCA(s.start); err != nil {
		t.Fatal(err)
	}
	if s.log, err = newTlog(); err != nil {
		t.Fatal(err)
	}
	oidc := s.serve(t, OIDC, http.HandlerFunc(s.token))
	s.Issuer = oidc.URL
	s.TokenURL = oidc.URL + "/token?api-version=2.0"
	s.RequestToken = "request-token-" + strconv.FormatInt(s.start.UnixNano(), 36)
	s.Identity = "https://github.com/" + opts.WorkflowRef
	s.workflowRef = opts.WorkflowRef
	s.FulcioURL = s.serve(t, Fulcio, http.HandlerFunc(s.signingCert)).URL
	s.RekorURL = s.serve(t, Rekor, http.HandlerFunc(s.log.serveHTTP)).URL
	return s
}

// Env returns the variables a keyless run reads to get its token.
func (s *Sigstore) Env() map[string]string {
	return map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": s.TokenURL, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": s.RequestToken}
}

// Fail makes the next len(statuses) requests to service answer those
// statuses (with Retry-After: 0 for 429 and 503).
func (s *Sigstore) Fail(service string, statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range statuses {
		ra := -1
		if st == http.StatusTooManyRequests || st == http.StatusServiceUnavailable {
			ra = 0
		}
		s.faults[service] = append(s.faults[service], fault{status: st, retryAfter: ra})
	}
}

// Requests is how many requests service has received, failed ones included.
func (s *Sigstore) Requests(service string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[service]
}

// Entries is how many entries the log holds.
func (s *Sigstore) Entries() int { return s.log.size() }

func (s *Sigstore) serve(t testing.TB, name string, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[name]++
		var f *fault
		if q := s.faults[name]; len(q) > 0 {
			f, s.faults[name] = &q[0], q[1:]
		}
		s.mu.Unlock()
		if f != nil {
			if f.retryAfter >= 0 {
				w.Header().Set("Retry-After", strconv.Itoa(f.retryAfter))
			}
			http.Error(w, "injected failure", f.status)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// logID is the hex SHA-256 of a PKIX public key, as Rekor and CT name logs.
func logID(pub any) ([]byte, string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(der)
	return sum[:], hex.EncodeToString(sum[:]), nil
}
