package trivy

import (
	"context"
	"fmt"
	"sync"
	"time"

	tdb "github.com/aquasecurity/trivy-db/pkg/db"
	dbtypes "github.com/aquasecurity/trivy-db/pkg/types"
	"github.com/aquasecurity/trivy/pkg/cache"
	"github.com/aquasecurity/trivy/pkg/fanal/applier"
	"github.com/aquasecurity/trivy/pkg/fanal/artifact"
	ftypes "github.com/aquasecurity/trivy/pkg/fanal/types"
	"github.com/aquasecurity/trivy/pkg/log"
	tscan "github.com/aquasecurity/trivy/pkg/scan"
	"github.com/aquasecurity/trivy/pkg/scan/langpkg"
	"github.com/aquasecurity/trivy/pkg/scan/local"
	"github.com/aquasecurity/trivy/pkg/scan/ospkg"
	"github.com/aquasecurity/trivy/pkg/types"
	"github.com/aquasecurity/trivy/pkg/vulnerability"

	"github.com/slipway-dev/slipway/internal/scan"
)

// Options are the Backend's dependencies.
type Options struct {
	// Environ is the environment govulncheck's go commands run with.
	Environ []string
	// TempDir holds the copies of go.mod files scanned.
	TempDir string
	// Now is the wall clock, to decide whether the cached DB is fresh.
	Now func() time.Time
}

// Backend is Trivy (and govulncheck) behind scan.Backend. One Backend
// opens the DB once and scans every subject with it; Trivy keeps the DB in
// a process-wide handle, so one Backend at a time.
type Backend struct {
	opts   Options
	cache  *cache.MemoryCache
	svc    local.Service
	dbOpen bool
	// downloaded is set when PrepareDB fetched the DB.
	downloaded bool
}

var _ scan.Backend = (*Backend)(nil)

// quiet silences Trivy's process-wide logger once: the action reports
// through its own channels.
var quiet = sync.OnceFunc(func() { log.InitLogger(false, true) })

// New returns a Backend; PrepareDB must succeed before Scan.
func New(o Options) *Backend {
	quiet()
	if o.Now == nil {
		o.Now = time.Now
	}
	c := cache.NewMemoryCache()
	svc := local.NewService(applier.NewApplier(c), ospkg.NewScanner(), langpkg.NewScanner(), vulnerability.NewClient(tdb.Config{}))
	return &Backend{opts: o, cache: c, svc: svc}
}

// Close releases the DB.
func (b *Backend) Close() error {
	if !b.dbOpen {
		return nil
	}
	b.dbOpen = false
	if err := tdb.Close(); err != nil {
		return fmt.Errorf("closing the vulnerability DB: %w", err)
	}
	return nil
}

// scanOptions are what every subject is scanned for: vulnerabilities in OS
// and language packages; licences come with the packages.
func scanOptions() types.ScanOptions {
	return types.ScanOptions{
		PkgTypes:         []string{types.PkgTypeOS, types.PkgTypeLibrary},
		PkgRelationships: ftypes.Relationships,
		Scanners:         types.Scanners{types.VulnerabilityScanner},
		// As Trivy's CLI: the advisory source's own severity, else GHSA, else NVD.
		VulnSeveritySources: []dbtypes.SourceID{"auto"},
	}
}

// run scans one Trivy artifact.
func (b *Backend) run(ctx context.Context, art artifact.Artifact) (types.Report, error) {
	if !b.dbOpen {
		return types.Report{}, fmt.Errorf("the vulnerability DB is not open")
	}
	return tscan.NewService(b.svc, art).ScanArtifact(ctx, scanOptions())
}
