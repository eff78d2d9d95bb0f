// Command build-matrix plans a GOOS/GOARCH matrix, cross-compiles a Go module
// reproducibly with archives and checksums, and merges fan-out shards. It runs
// as a GitHub Action (GITHUB_ACTIONS=true) or as a CLI with the same inputs as
// flags; see docs/build-matrix.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/internal/build"
	"github.com/slipway-dev/slipway/internal/gha"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "build-matrix:", err)
		os.Exit(gha.ExitFailure)
	}
	env := gha.Env{Args: os.Args[1:], Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr, Dir: wd}
	deps := build.Deps{Runner: build.ExecRunner{}, Now: time.Now, NumCPU: runtime.NumCPU(), TempDir: os.TempDir()}
	code := gha.Run(ctx, build.ActionSpec(), env, func(ctx context.Context, a *gha.Action) error {
		return build.Run(ctx, a, deps)
	})
	stop()
	os.Exit(code)
}
