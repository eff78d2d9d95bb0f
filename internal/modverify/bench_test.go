package modverify

import (
	"context"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/mod/module"

	"github.com/slipway-dev/slipway/internal/build"
	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// The benchmark checks a real module's go.sum (bench/verify-mod.sh prepares
// it: the module's go.mod and go.sum in -bench-module, its dependencies
// downloaded into -bench-modcache) against a checksum database on 127.0.0.1
// whose records are built from that module cache.
var (
	benchModule   = flag.String("bench-module", "", "directory with the go.mod and go.sum to benchmark (bench/verify-mod.sh)")
	benchModCache = flag.String("bench-modcache", "", "GOMODCACHE holding the benchmark module's dependencies")
)

// BenchmarkCheck times the sumdb check with an empty tile cache (cold) and
// with the cache of a previous run (warm), and the verify check over the
// downloaded module cache.
func BenchmarkCheck(b *testing.B) {
	if *benchModule == "" || *benchModCache == "" {
		b.Skip("run bench/verify-mod.sh (needs -bench-module and -bench-modcache)")
	}
	data, err := os.ReadFile(filepath.Join(*benchModule, "go.sum"))
	if err != nil {
		b.Fatal(err)
	}
	sum, err := ParseSum("go.sum", data)
	if err != nil {
		b.Fatal(err)
	}
	records, fromSum := benchRecords(b, sum, *benchModCache)
	db := testutil.StartSumDB(b, "sum.bench.test", records)
	b.Logf("go.sum: %d lines, %d module versions; database records from the module cache (%d hashes taken from go.sum where the cache lacks the file)",
		len(sum.Lines), len(records), fromSum)

	getenv := func(k string) string {
		switch k {
		case "GOMODCACHE":
			return *benchModCache
		case "GOPROXY":
			// Missing go.mod-only files are fetched once, in the untimed
			// first run of the verify benchmark.
			if p := os.Getenv("GOPROXY"); p != "" {
				return p
			}
			return "off"
		case "GOSUMDB":
			return db.GOSUMDB()
		case "GOFLAGS", "GONOSUMDB", "GOPRIVATE", "GONOSUMCHECK", "GITHUB_ACTIONS", "RUNNER_TEMP":
			return ""
		case "GOENV":
			return "off"
		case "GOPATH":
			return filepath.Join(*benchModCache, "..", "gopath")
		}
		return os.Getenv(k)
	}
	run := func(b *testing.B, cache string, checks string) {
		b.Helper()
		deps := Deps{Runner: build.ExecRunner{}, HTTP: &http.Client{Timeout: time.Minute}, TempDir: b.TempDir(),
			SumDBRetry: RetryPolicy{Attempts: 4, Base: 500 * time.Millisecond}, Concurrency: 16}
		ws := b.TempDir()
		testutil.CopyDir(b, *benchModule, ws)
		code := gha.Run(context.Background(), ActionSpec(),
			gha.Env{Args: []string{"--checks", checks, "--sumdb-cache", cache}, Getenv: getenv, Stdout: io.Discard, Stderr: io.Discard, Dir: ws},
			func(ctx context.Context, a *gha.Action) error { return Run(ctx, a, deps) })
		if code != 0 {
			b.Fatalf("verify-mod --checks %s exited %d", checks, code)
		}
	}
	b.Run("sumdb-cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			cache := filepath.Join(b.TempDir(), "tiles")
			b.StartTimer()
			run(b, cache, CheckSumDB)
		}
	})
	b.Run("sumdb-warm", func(b *testing.B) {
		cache := filepath.Join(b.TempDir(), "tiles")
		run(b, cache, CheckSumDB)
		for b.Loop() {
			run(b, cache, CheckSumDB)
		}
	})
	b.Run("verify", func(b *testing.B) {
		cache := filepath.Join(b.TempDir(), "tiles")
		run(b, cache, CheckVerify)
		for b.Loop() {
			run(b, cache, CheckVerify)
		}
	})
}

// benchRecords builds one database record per module version in go.sum,
// hashing the zip and go.mod in the module cache; a hash whose file the
// cache lacks is taken from go.sum (and counted).
func benchRecords(b *testing.B, sum *SumFile, modcache string) ([]testutil.ModuleHash, int) {
	type key struct{ path, version string }
	var order []key
	recs := map[key]*testutil.ModuleHash{}
	fromSum := 0
	for _, l := range sum.Lines {
		k := key{l.Path, l.Version}
		r := recs[k]
		if r == nil {
			r = &testutil.ModuleHash{Path: l.Path, Version: l.Version}
			recs[k] = r
			order = append(order, k)
		}
		file, err := cacheFile(modcache, l.Path, l.Version, l.Mod)
		if err != nil {
			b.Fatal(err)
		}
		h := l.Hash
		if _, err := os.Stat(file); err == nil {
			if h, err = hashCached(file, l.Mod); err != nil {
				b.Fatal(err)
			}
		} else {
			fromSum++
		}
		if l.Mod {
			r.ModHash = h
		} else {
			r.ZipHash = h
		}
	}
	var out []testutil.ModuleHash
	for _, k := range order {
		r := recs[k]
		if r.ModHash == "" { // a record always has the go.mod hash
			if f, _ := cacheFile(modcache, k.path, k.version, true); f != "" {
				if h, err := hashCached(f, true); err == nil {
					r.ModHash = h
				}
			}
		}
		if r.ModHash == "" {
			b.Fatalf("%s: no go.mod hash in go.sum or the module cache", module.Version{Path: k.path, Version: k.version})
		}
		out = append(out, *r)
	}
	return out, fromSum
}
