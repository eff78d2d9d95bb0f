// Command scan scans Go binaries, the module, OCI images and root
// filesystems with Trivy (embedded at v0.74.0), marks Go vulnerabilities
// whose code is never called (govulncheck), gates on severity and licences,
// and writes SARIF, JSON and SBOMs. It runs as a GitHub Action
// (GITHUB_ACTIONS=true) or as a CLI with the same inputs as flags; see
// docs/scan.md.
//
// It is its own module (Trivy needs GOEXPERIMENT=jsonv2 and a very large
// dependency tree that the other actions must not link): build it with
// GOEXPERIMENT=jsonv2 go build.
package main

import (
	"context"
	"os"
	"runtime/debug"
	"time"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/scan"
	"github.com/slipway-dev/slipway/internal/scan/trivy"
)

func main() {
	deps := scan.Deps{
		NewBackend: func(context.Context) (scan.Backend, error) {
			return trivy.New(trivy.Options{Environ: os.Environ(), TempDir: os.TempDir(), Now: time.Now}), nil
		},
		Now:     time.Now,
		Version: version(),
	}
	os.Exit(gha.Main(scan.ActionSpec(), func(ctx context.Context, a *gha.Action) error {
		return scan.Run(ctx, a, deps)
	}))
}

// version is the module version the binary was built at, or "devel".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
