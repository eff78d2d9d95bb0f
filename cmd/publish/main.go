// Command publish builds multi-platform OCI images from the binaries
// build-matrix produced, without Docker, pushes them (by digest per runner,
// merged in the fan-in job, or tagged), and publishes release files to an
// OCI registry and a GitHub Release. It runs as a GitHub Action
// (GITHUB_ACTIONS=true) or as a CLI with the same inputs as flags; see
// docs/publish.md.
package main

import (
	"context"
	"os"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/publish"
)

func main() {
	os.Exit(gha.Main(publish.ActionSpec(), func(ctx context.Context, a *gha.Action) error {
		return publish.Run(ctx, a, publish.Deps{})
	}))
}
