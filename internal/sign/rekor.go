package sign

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Rekor is a client of the Rekor v1 API (POST /api/v1/log/entries).
type Rekor struct {
	URL string
	svc *service
}

// NewRekor returns a Rekor client for baseURL.
func NewRekor(baseURL string, client *http.Client, retry Retry) *Rekor {
	return &Rekor{URL: strings.TrimSuffix(baseURL, "/"), svc: &service{name: "Rekor at " + baseURL, client: client, retry: retry}}
}

// UploadHashedRekord logs a signature over a SHA-256 digest as a
// hashedrekord 0.0.1 entry. verifierPEM is the public key or certificate.
func (r *Rekor) UploadHashedRekord(ctx context.Context, digest, sig, verifierPEM []byte) (*TlogEntry, error) {
	entry := map[string]any{
		"apiVersion": "0.0.1", "kind": "hashedrekord",
		"spec": map[string]any{
			"data":      map[string]any{"hash": map[string]string{"algorithm": "sha256", "value": hex.EncodeToString(digest)}},
			"signature": map[string]any{"content": b64(sig), "publicKey": map[string]string{"content": b64(verifierPEM)}},
		},
	}
	return r.upload(ctx, entry)
}

// UploadDSSE logs a DSSE envelope as a dsse 0.0.1 entry.
func (r *Rekor) UploadDSSE(ctx context.Context, env Envelope, verifierPEM []byte) (*TlogEntry, error) {
	raw, err := json.Marshal(env)
	if err != nil {
		return nil, err
	}
	entry := map[string]any{
		"apiVersion": "0.0.1", "kind": "dsse",
		"spec": map[string]any{"proposedContent": map[string]any{"envelope": string(raw), "verifiers": []string{b64(verifierPEM)}}},
	}
	return r.upload(ctx, entry)
}

type rekorEntry struct {
	Body           string `json:"body"`
	IntegratedTime int64  `json:"integratedTime"`
	LogID          string `json:"logID"`
	LogIndex       int64  `json:"logIndex"`
	Verification   struct {
		SignedEntryTimestamp string `json:"signedEntryTimestamp"`
		InclusionProof       *struct {
			Checkpoint string   `json:"checkpoint"`
			Hashes     []string `json:"hashes"`
			LogIndex   int64    `json:"logIndex"`
			RootHash   string   `json:"rootHash"`
			TreeSize   int64    `json:"treeSize"`
		} `json:"inclusionProof"`
	} `json:"verification"`
}

func (r *Rekor) upload(ctx context.Context, entry any) (*TlogEntry, error) {
	reqBody, err := json.Marshal(entry)
	if err != nil {
		return nil, err
	}
	body, hdr, code, err := r.svc.do(ctx, func() (*http.Request, error) {
		req, err := http.NewRequest(http.MethodPost, r.URL+"/api/v1/log/entries", bytes.NewReader(reqBody))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		return req, nil
	})
	if code == http.StatusConflict && hdr.Get("Location") != "" {
		// The entry is in the log already: read it.
		loc := hdr.Get("Location")
		if strings.HasPrefix(loc, "/") {
			loc = r.URL + loc
		}
		body, _, _, err = r.svc.do(ctx, func() (*http.Request, error) { return http.NewRequest(http.MethodGet, loc, nil) })
	}
	if err != nil {
		return nil, fmt.Errorf("logging the signature: %w", err)
	}
	var doc map[string]rekorEntry
	if err := json.Unmarshal(body, &doc); err != nil || len(doc) != 1 {
		return nil, fmt.Errorf("%s answered with %d entries, want one (%v)", r.svc.name, len(doc), err)
	}
	for uuid, e := range doc {
		return e.toTlog(uuid)
	}
	return nil, errors.New("unreachable")
}

func (e rekorEntry) toTlog(uuid string) (*TlogEntry, error) {
	body, err := base64.StdEncoding.DecodeString(e.Body)
	if err != nil {
		return nil, fmt.Errorf("Rekor entry %s: body is not base64: %w", uuid, err)
	}
	var kv struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(body, &kv); err != nil {
		return nil, fmt.Errorf("Rekor entry %s: body: %w", uuid, err)
	}
	set, err := base64.StdEncoding.DecodeString(e.Verification.SignedEntryTimestamp)
	if err != nil || len(set) == 0 {
		return nil, fmt.Errorf("Rekor entry %s has no signed entry timestamp", uuid)
	}
	t := &TlogEntry{UUID: uuid, Kind: kv.Kind, Version: kv.APIVersion, Body: body, IntegratedTime: e.IntegratedTime,
		LogIndex: e.LogIndex, LogID: e.LogID, SET: set}
	if p := e.Verification.InclusionProof; p != nil {
		t.Proof = &InclusionProof{LogIndex: p.LogIndex, RootHash: p.RootHash, TreeSize: p.TreeSize, Hashes: p.Hashes, Checkpoint: p.Checkpoint}
	}
	return t, nil
}

// CosignBundleAnnotation is the value of dev.sigstore.cosign/bundle on an
// image signature layer: the signed entry timestamp and what it signs.
func (t *TlogEntry) CosignBundleAnnotation() (string, error) {
	b, err := json.Marshal(map[string]any{
		"SignedEntryTimestamp": b64(t.SET),
		"Payload": map[string]any{
			"body": b64(t.Body), "integratedTime": t.IntegratedTime, "logIndex": t.LogIndex, "logID": t.LogID,
		},
	})
	return string(b), err
}
