// Command sign signs release files and images in cosign's formats, with
// Sigstore bundles and SLSA provenance, verifies them, or generates a cosign
// key pair. It runs as a GitHub Action (GITHUB_ACTIONS=true) or as a CLI
// with the same inputs as flags; see docs/sign.md.
package main

import (
	"context"
	"os"
	"time"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/sign"
)

func main() {
	os.Exit(gha.Main(sign.ActionSpec(), func(ctx context.Context, a *gha.Action) error {
		return sign.Run(ctx, a, sign.Deps{Now: time.Now})
	}))
}
