package scan

import (
	"context"
	"time"
)

// Default DB repositories, tried in order, as Trivy does.
var defaultDBRepositories = []string{"mirror.gcr.io/aquasec/trivy-db:2", "ghcr.io/aquasecurity/trivy-db:2"}

// DefaultDBRepositories returns the repositories the vulnerability DB comes
// from unless db-repository says otherwise.
func DefaultDBRepositories() []string { return append([]string(nil), defaultDBRepositories...) }

// DBOptions says where the vulnerability DB comes from and where it lives.
type DBOptions struct {
	Repositories []string // OCI repositories, tried in order
	Digest       string   // pinned manifest digest (sha256:...), or ""
	CacheDir     string   // absolute; the DB is CacheDir/db
	SkipUpdate   bool     // use the cached DB; an empty cache is an error
	Attempts     int      // tries per repository for temporary errors
	Backoff      time.Duration
}

// DBInfo describes the DB a scan used.
type DBInfo struct {
	Repository string    `json:"repository,omitempty"`
	Digest     string    `json:"digest,omitempty"`
	UpdatedAt  time.Time `json:"updatedAt"`
	NextUpdate time.Time `json:"nextUpdate"`
	// Downloaded is false when the cached DB was used as is.
	Downloaded bool `json:"downloaded"`
}

// Reachability is govulncheck's verdict on one module's source: for each
// Go vulnerability it knows (by every ID and alias), whether the vulnerable
// code is called.
type Reachability struct {
	ModuleDir string
	Module    string // the module path in ModuleDir
	// Called maps every ID and alias of each vulnerability govulncheck
	// reported on to whether any vulnerable symbol is called.
	Called map[string]bool
}

// Covers reports whether govulncheck's verdict speaks for v found in s: a
// Go vulnerability of the module itself (its go.mod) or of a Go binary whose
// main module is the module analysed.
func (r *Reachability) Covers(s Subject, v Vulnerability) bool {
	switch {
	case r == nil:
		return false
	case v.PkgType == "gomod":
		return s.Kind == KindGoMod && s.Path == r.ModuleDir
	case v.PkgType == "gobinary":
		return v.MainModule != "" && v.MainModule == r.Module
	}
	return false
}

// Verdict returns whether govulncheck knows any of ids and, if so, whether
// it found the vulnerable code called.
func (r *Reachability) Verdict(ids []string) (known, called bool) {
	if r == nil {
		return false, false
	}
	for _, id := range ids {
		if c, ok := r.Called[id]; ok {
			known = true
			called = called || c
		}
	}
	return known, called
}

// Backend is the scanner: internal/scan/trivy implements it with Trivy and
// govulncheck.
type Backend interface {
	// PrepareDB makes the vulnerability DB ready: reuse the cache, download
	// it (with bounded retries per repository), check the pinned digest.
	PrepareDB(ctx context.Context, o DBOptions) (DBInfo, error)
	// Scan scans one subject. An image index gives one Result per platform;
	// a subject that cannot be scanned gives an error.
	Scan(ctx context.Context, s Subject) ([]Result, error)
	// Reachable runs govulncheck over the module in dir against the Go
	// vulnerability DB at vulnDB.
	Reachable(ctx context.Context, dir, vulnDB string) (*Reachability, error)
	// Close releases the DB.
	Close() error
}
