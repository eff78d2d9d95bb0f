// Command build-matrix plans a GOOS/GOARCH matrix, cross-compiles a Go module
// reproducibly with archives and checksums, and merges fan-out shards. It runs
// as a GitHub Action (GITHUB_ACTIONS=true) or as a CLI with the same inputs as
// flags; see docs/build-matrix.md.
package main

import (
	"context"
	"os"
	"runtime"
	"time"

	"github.com/slipway-dev/slipway/internal/build"
	"github.com/slipway-dev/slipway/internal/gha"
)

func main() {
	deps := build.Deps{Runner: build.ExecRunner{}, Now: time.Now, NumCPU: runtime.NumCPU(), TempDir: os.TempDir()}
	os.Exit(gha.Main(build.ActionSpec(), func(ctx context.Context, a *gha.Action) error {
		return build.Run(ctx, a, deps)
	}))
}
