// Command publish builds multi-platform OCI images from the binaries
// build-matrix produced, without Docker, pushes them (by digest per runner,
// merged in the fan-in job, or tagged), and publishes release files to an
// OCI registry and a GitHub Release. It runs as a GitHub Action
// (GITHUB_ACTIONS=true) or as a CLI with the same inputs as flags; see
// docs/publish.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/publish"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "publish:", err)
		os.Exit(gha.ExitFailure)
	}
	env := gha.Env{Args: os.Args[1:], Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr, Dir: wd}
	code := gha.Run(ctx, publish.ActionSpec(), env, func(ctx context.Context, a *gha.Action) error {
		return publish.Run(ctx, a, publish.Deps{})
	})
	stop()
	os.Exit(code)
}
