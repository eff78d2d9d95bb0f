package sigstoretest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
	"github.com/go-openapi/runtime"
	"github.com/sigstore/rekor/pkg/generated/models"
	"github.com/sigstore/rekor/pkg/types"
	_ "github.com/sigstore/rekor/pkg/types/dsse/v0.0.1"         // registers dsse 0.0.1
	_ "github.com/sigstore/rekor/pkg/types/hashedrekord/v0.0.1" // registers hashedrekord 0.0.1
	"github.com/sigstore/rekor/pkg/util"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/transparency-dev/merkle/rfc6962"
)

// treeID names the log in its checkpoints ("<host> - <treeID>").
const treeID = 1193050959916656506

// tlog is an in-memory Rekor v1 log.
type tlog struct {
	key   *ecdsa.PrivateKey
	id    []byte // SHA-256 of the PKIX key
	idHex string

	mu      sync.Mutex
	leaves  [][]byte // leaf hashes
	entries []logEntry
	byUUID  map[string]int
}

type logEntry struct {
	body           []byte // canonicalized
	integratedTime int64
}

func newTlog() (*tlog, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	id, idHex, err := logID(k.Public())
	if err != nil {
		return nil, err
	}
	return &tlog{key: k, id: id, idHex: idHex, byUUID: map[string]int{}}, nil
}

func (l *tlog) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// serveHTTP answers POST /api/v1/log/entries and GET
// /api/v1/log/entries/{uuid}.
func (l *tlog) serveHTTP(w http.ResponseWriter, r *http.Request) {
	const prefix = "/api/v1/log/entries"
	switch {
	case r.Method == http.MethodPost && r.URL.Path == prefix:
		l.add(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, prefix+"/"):
		uuid := strings.TrimPrefix(r.URL.Path, prefix+"/")
		l.mu.Lock()
		i, ok := l.byUUID[uuid]
		l.mu.Unlock()
		if !ok {
			http.Error(w, "no such entry", http.StatusNotFound)
			return
		}
		l.answer(w, http.StatusOK, uuid, i)
	default:
		http.NotFound(w, r)
	}
}

// add validates the proposed entry with Rekor's own types (a hashedrekord
// signature must verify over its digest), canonicalizes it and appends it.
func (l *tlog) add(w http.ResponseWriter, r *http.Request) {
	pe, err := models.UnmarshalProposedEntry(r.Body, runtime.JSONConsumer())
	if err != nil {
		http.Error(w, "bad entry: "+err.Error(), http.StatusBadRequest)
		return
	}
	ei, err := types.CreateVersionedEntry(pe)
	if err != nil {
		http.Error(w, "bad entry: "+err.Error(), http.StatusBadRequest)
		return
	}
	body, err := types.CanonicalizeEntry(r.Context(), ei)
	if err != nil {
		http.Error(w, "bad entry: "+err.Error(), http.StatusBadRequest)
		return
	}
	leaf := rfc6962.DefaultHasher.HashLeaf(body)
	uuid := hex.EncodeToString(leaf)
	l.mu.Lock()
	if _, ok := l.byUUID[uuid]; ok {
		l.mu.Unlock()
		w.Header().Set("Location", "/api/v1/log/entries/"+uuid)
		http.Error(w, "an equivalent entry already exists in the transparency log", http.StatusConflict)
		return
	}
	l.leaves = append(l.leaves, leaf)
	l.entries = append(l.entries, logEntry{body: body, integratedTime: time.Now().Unix()})
	i := len(l.entries) - 1
	l.byUUID[uuid] = i
	l.mu.Unlock()
	l.answer(w, http.StatusCreated, uuid, i)
}

// answer writes entry i as Rekor does: {uuid: LogEntryAnon} with the SET
// and an inclusion proof against the current tree.
func (l *tlog) answer(w http.ResponseWriter, status int, uuid string, i int) {
	l.mu.Lock()
	e := l.entries[i]
	leaves := append([][]byte(nil), l.leaves...)
	l.mu.Unlock()
	body64 := base64.StdEncoding.EncodeToString(e.body)
	set, err := l.signJSON(map[string]any{"body": body64, "integratedTime": e.integratedTime, "logIndex": i, "logID": l.idHex})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	rootHash := mth(leaves)
	sv, err := signature.LoadECDSASignerVerifier(l.key, crypto.SHA256)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	cp, err := util.CreateAndSignCheckpoint(context.Background(), "rekor.sigstore.test", treeID, uint64(len(leaves)), rootHash, sv)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var hashes []string
	for _, h := range inclusionPath(i, leaves) {
		hashes = append(hashes, hex.EncodeToString(h))
	}
	doc := map[string]any{uuid: map[string]any{
		"body": body64, "integratedTime": e.integratedTime, "logID": l.idHex, "logIndex": i,
		"verification": map[string]any{
			"signedEntryTimestamp": base64.StdEncoding.EncodeToString(set),
			"inclusionProof": map[string]any{
				"checkpoint": string(cp), "hashes": hashes, "logIndex": i,
				"rootHash": hex.EncodeToString(rootHash), "treeSize": len(leaves),
			},
		},
	}}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(doc)
}

// signJSON signs the RFC 8785 canonical form of v (the signed entry
// timestamp).
func (l *tlog) signJSON(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	canon, err := jsoncanonicalizer.Transform(raw)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(canon)
	return ecdsa.SignASN1(rand.Reader, l.key, sum[:])
}

// mth is RFC 6962's Merkle tree hash over leaf hashes.
func mth(leaves [][]byte) []byte {
	switch n := len(leaves); n {
	case 0:
		return rfc6962.DefaultHasher.EmptyRoot()
	case 1:
		return leaves[0]
	default:
		k := split(n)
		return rfc6962.DefaultHasher.HashChildren(mth(leaves[:k]), mth(leaves[k:]))
	}
}

// inclusionPath is RFC 6962's PATH(m, D[n]).
func inclusionPath(m int, leaves [][]byte) [][]byte {
	n := len(leaves)
	if n <= 1 {
		return nil
	}
	k := split(n)
	if m < k {
		return append(inclusionPath(m, leaves[:k]), mth(leaves[k:]))
	}
	return append(inclusionPath(m-k, leaves[k:]), mth(leaves[:k]))
}

// split is the largest power of two smaller than n.
func split(n int) int {
	k := 1
	for k*2 < n {
		k *= 2
	}
	return k
}
