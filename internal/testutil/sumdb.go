package testutil

import (
	"context"
	"crypto/rand"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// SumDB is a checksum database on 127.0.0.1 speaking the real protocol
// (golang.org/x/mod/sumdb's server: /lookup, /latest, /tile), signed with a
// key pair made for the test. Its records are fixed when it starts.
type SumDB struct {
	Name        string // the database's name, e.g. "sum.test"
	URL         string // http://127.0.0.1:PORT
	VerifierKey string // the note verifier key clients trust

	requests atomic.Int64
}

// GOSUMDB is the value of GOSUMDB that makes the go command use this
// database: "name+key url".
func (s *SumDB) GOSUMDB() string { return s.VerifierKey + " " + s.URL }

// Requests is the number of HTTP requests the database has served.
func (s *SumDB) Requests() int64 { return s.requests.Load() }

// StartSumDB starts a checksum database named name holding one record per
// module version, in the order given, served until the test ends.
func StartSumDB(t testing.TB, name string, records []ModuleHash) *SumDB {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	ops, err := newSumOps(skey, records)
	if err != nil {
		t.Fatal(err)
	}
	db := &SumDB{Name: name, VerifierKey: vkey}
	srv := sumdb.NewServer(ops)
	mux := http.NewServeMux()
	for _, p := range sumdb.ServerPaths {
		mux.Handle(p, srv)
	}
	db.URL = Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		db.requests.Add(1)
		mux.ServeHTTP(w, r)
	}))
	return db
}

// sumOps is a fixed, in-memory sumdb.ServerOps.
type sumOps struct {
	signer  note.Signer
	records [][]byte
	hashes  []tlog.Hash // stored hashes of the tree
	lookup  map[module.Version]int64

	once   sync.Once
	signed []byte
	err    error
}

type hashSlice []tlog.Hash

func (h hashSlice) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(h)) {
			return nil, fmt.Errorf("hash index %d out of range", x)
		}
		out[i] = h[x]
	}
	return out, nil
}

func newSumOps(skey string, records []ModuleHash) (*sumOps, error) {
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, err
	}
	s := &sumOps{signer: signer, lookup: map[module.Version]int64{}}
	for _, r := range records {
		m := module.Version{Path: r.Path, Version: r.Version}
		if _, dup := s.lookup[m]; dup {
			return nil, fmt.Errorf("%s listed twice", m)
		}
		var b strings.Builder
		if r.ZipHash != "" {
			fmt.Fprintf(&b, "%s %s %s\n", r.Path, r.Version, r.ZipHash)
		}
		fmt.Fprintf(&b, "%s %s/go.mod %s\n", r.Path, r.Version, r.ModHash)
		data := []byte(b.String())
		id := int64(len(s.records))
		hs, err := tlog.StoredHashes(id, data, hashSlice(s.hashes))
		if err != nil {
			return nil, err
		}
		s.hashes = append(s.hashes, hs...)
		s.records = append(s.records, data)
		s.lookup[m] = id
	}
	return s, nil
}

func (s *sumOps) Signed(context.Context) ([]byte, error) {
	s.once.Do(func() {
		n := int64(len(s.records))
		h, err := tlog.TreeHash(n, hashSlice(s.hashes))
		if err != nil {
			s.err = err
			return
		}
		s.signed, s.err = note.Sign(&note.Note{Text: string(tlog.FormatTree(tlog.Tree{N: n, Hash: h}))}, s.signer)
	})
	return s.signed, s.err
}

func (s *sumOps) ReadRecords(_ context.Context, id, n int64) ([][]byte, error) {
	if id < 0 || n < 0 || id+n > int64(len(s.records)) {
		return nil, &fs.PathError{Op: "read records", Path: fmt.Sprintf("%d..%d", id, id+n-1), Err: os.ErrNotExist}
	}
	return s.records[id : id+n], nil
}

func (s *sumOps) Lookup(_ context.Context, m module.Version) (int64, error) {
	id, ok := s.lookup[m]
	if !ok {
		// The server answers 404 only for errors os.IsNotExist recognises,
		// which does not look through %w.
		return 0, &fs.PathError{Op: "lookup", Path: m.String(), Err: os.ErrNotExist}
	}
	return id, nil
}

func (s *sumOps) ReadTileData(_ context.Context, t tlog.Tile) ([]byte, error) {
	return tlog.ReadTileData(t, hashSlice(s.hashes))
}
