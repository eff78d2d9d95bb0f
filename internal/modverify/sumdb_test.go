package modverify

import (
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/note"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/manifest"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestSumDBTamperedContent is the case go mod verify cannot catch: the
// module content and its go.sum hash were changed together (a compromised
// proxy or cache), so the module cache agrees with go.sum. The checksum
// database does not, and the finding is on the exact go.sum line.
func TestSumDBTamperedContent(t *testing.T) {
	t.Parallel()
	w := newWorld(t, false)

	evilSrc := filepath.Join(t.TempDir(), "proxy")
	testutil.CopyDir(t, filepath.Join("testdata", "proxy"), evilSrc)
	writeFile(t, filepath.Join(evilSrc, "example.com", "lib@v1.0.0", "lib.go"),
		"package lib\n\n// Version also phones home.\nfunc Version() string { return \"v1.0.0\" }\n\nfunc init() { /* exfiltrate */ }\n")
	evilDir, evilHashes := testutil.GoProxyDir(t, evilSrc)
	var evil testutil.ModuleHash
	for _, h := range evilHashes {
		if h.Path == "example.com/lib" && h.Version == "v1.0.0" {
			evil = h
		}
	}
	honest := w.hash(t, "example.com/lib", "v1.0.0")
	if evil.ZipHash == honest.ZipHash {
		t.Fatal("the tampered module hashes like the honest one")
	}

	ws := workspace(t, "good")
	replaceIn(t, filepath.Join(ws, "go.sum"), honest.ZipHash, evil.ZipHash)
	// The module cache gets the tampered content, as from a compromised proxy.
	w.goCmd(t, ws, map[string]string{"GOPROXY": testutil.FileURL(evilDir), "GOSUMDB": "off", "GOFLAGS": "-mod=mod"}, "mod", "download")
	if out := w.goCmd(t, ws, nil, "mod", "verify"); !strings.Contains(out, "all modules verified") {
		t.Fatalf("go mod verify was expected to miss the tampering:\n%s", out)
	}

	r := w.run(t, ws, nil, "--output-format", "json", "--checks", "verify,sumdb")
	r.mustCode(t, gha.ExitFindings)
	fs := r.findings(t)
	if d := cmp.Diff([]place{{RuleSumDBMismatch, "go.sum", 3}}, places(fs)); d != "" {
		t.Fatalf("findings (-want +got):\n%s\n%s", d, r.stderr)
	}
	for _, want := range []string{"example.com/lib v1.0.0", "line 3", evil.ZipHash, honest.ZipHash, "sum.slipway.test"} {
		if !strings.Contains(fs[0].Message, want) {
			t.Errorf("message lacks %q: %s", want, fs[0].Message)
		}
	}
}

// TestSumDBHonestColdWarm checks an honest go.sum against the database with
// an empty tile cache, then again with the cache warm: the second run makes
// no request at all and still passes.
func TestSumDBHonestColdWarm(t *testing.T) {
	t.Parallel()
	w := newWorld(t, true)
	ws := workspace(t, "good")
	cache := filepath.Join(t.TempDir(), "tiles")
	var remote []int64
	for range 2 {
		before := w.sumdb.Requests()
		r := w.run(t, ws, nil, "--output-format", "json", "--checks", "sumdb", "--sumdb-cache", cache)
		r.mustCode(t, gha.ExitOK)
		if fs := r.findings(t); len(fs) != 0 {
			t.Fatalf("findings on an honest go.sum: %+v", fs)
		}
		sec := moduleSection(t, filepath.Join(ws, "dist"))
		if sec.SumDB == nil || sec.SumDB.Checked != 2 || sec.SumDB.Database != "sum.slipway.test" {
			t.Fatalf("manifest sumdb = %+v", sec.SumDB)
		}
		remote = append(remote, w.sumdb.Requests()-before)
	}
	if remote[0] == 0 || remote[1] != 0 {
		t.Errorf("requests to the database: cold %d, warm %d; want some, then none", remote[0], remote[1])
	}
	if _, err := os.Stat(filepath.Join(cache, "sum.slipway.test", "latest")); err != nil {
		t.Errorf("no verified tree head in the cache: %v", err)
	}
}

// TestSumDBUnavailable: a database that does not answer, or answers with
// data its key does not verify, is an error (exit 1), never a pass.
func TestSumDBUnavailable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		sumdb func(w *world) string
		want  string
	}{
		{"nothing listens", func(w *world) string { return w.sumdb.VerifierKey + " " + testutil.DeadURL(t) },
			"did not answer for 2 of 2 module versions"},
		{"another key signs", func(w *world) string {
			other := testutil.StartSumDB(t, "sum.slipway.test", w.hashes)
			return w.sumdb.VerifierKey + " " + other.URL
		}, "does not verify against its key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, false)
			ws := workspace(t, "good")
			r := w.run(t, ws, nil, "--checks", "sumdb", "--sumdb", tc.sumdb(w))
			r.mustCode(t, gha.ExitFailure)
			if !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stdout, "passed=true") {
				t.Errorf("stderr lacks %q (or the run passed):\n%s\n%s", tc.want, r.stderr, r.stdout)
			}
			if _, err := os.Stat(filepath.Join(ws, "dist", "manifest.json")); !os.IsNotExist(err) {
				t.Errorf("a manifest was written for a failed check: %v", err)
			}
		})
	}
}

func moduleSection(t *testing.T, dist string) Section {
	t.Helper()
	m, err := manifest.Load(filepath.Join(dist, manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	var s Section
	if err := json.Unmarshal(m.Module, &s); err != nil {
		t.Fatalf("module section: %v\n%s", err, m.Module)
	}
	return s
}

func TestParseGOSUMDB(t *testing.T) {
	t.Parallel()
	_, key, err := note.GenerateKey(rand.Reader, "sum.example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in      string
		want    SumDBConfig
		wantErr string
	}{
		{in: "sum.golang.org", want: SumDBConfig{Name: "sum.golang.org", Key: knownSumDBKeys["sum.golang.org"], URL: "https://sum.golang.org"}},
		{in: "sum.golang.google.cn", want: SumDBConfig{Name: "sum.golang.org", Key: knownSumDBKeys["sum.golang.org"], URL: "https://sum.golang.google.cn", ExplicitURL: true}},
		{in: "sum.golang.org https://mirror.example.com/sumdb/", want: SumDBConfig{Name: "sum.golang.org", Key: knownSumDBKeys["sum.golang.org"], URL: "https://mirror.example.com/sumdb", ExplicitURL: true}},
		{in: key, want: SumDBConfig{Name: "sum.example.com", Key: key, URL: "https://sum.example.com"}},
		{in: key + " http://127.0.0.1:9", want: SumDBConfig{Name: "sum.example.com", Key: key, URL: "http://127.0.0.1:9", ExplicitURL: true}},
		{in: "off", wantErr: `"off" is not a checksum database`},
		{in: "sum.example.com", wantErr: "needs its verifier key"},
		{in: "sum.example.com+zz+bad", wantErr: "invalid verifier key"},
		{in: key + " ftp://x", wantErr: "is not an http(s) URL"},
		{in: "a b c", wantErr: "is not a checksum database"},
	} {
		got, err := ParseGOSUMDB(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseGOSUMDB(%q) error = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseGOSUMDB(%q): %v", tc.in, err)
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("ParseGOSUMDB(%q) (-want +got):\n%s", tc.in, d)
		}
	}
}
