// Command sign signs release files and images in cosign's formats, with
// Sigstore bundles and SLSA provenance, verifies them, or generates a cosign
// key pair. It runs as a GitHub Action (GITHUB_ACTIONS=true) or as a CLI
// with the same inputs as flags; see docs/sign.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/sign"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sign:", err)
		os.Exit(gha.ExitFailure)
	}
	env := gha.Env{Args: os.Args[1:], Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr, Dir: wd}
	code := gha.Run(ctx, sign.ActionSpec(), env, func(ctx context.Context, a *gha.Action) error {
		return sign.Run(ctx, a, sign.Deps{Now: time.Now})
	})
	stop()
	os.Exit(code)
}
