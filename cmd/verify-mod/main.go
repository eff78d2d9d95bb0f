// Command verify-mod checks go.mod and go.sum integrity (module cache,
// checksum database) and dependency hygiene (tidy, vendor, replace,
// toolchain, retracted, environment, diff, build constraints). It runs as a
// GitHub Action (GITHUB_ACTIONS=true) or as a CLI with the same inputs as
// flags; see docs/verify-mod.md.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/internal/build"
	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/modverify"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "verify-mod:", err)
		os.Exit(gha.ExitFailure)
	}
	cacheDir, _ := os.UserCacheDir() // empty when unknown: the sumdb-cache input or RUNNER_TEMP then decides
	env := gha.Env{Args: os.Args[1:], Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr, Dir: wd}
	deps := modverify.Deps{
		Runner:       build.ExecRunner{},
		HTTP:         &http.Client{Timeout: 30 * time.Second},
		UserCacheDir: cacheDir,
		TempDir:      os.TempDir(),
		SumDBRetry:   modverify.RetryPolicy{Attempts: 4, Backoff: 500 * time.Millisecond},
		Concurrency:  16,
	}
	code := gha.Run(ctx, modverify.ActionSpec(), env, func(ctx context.Context, a *gha.Action) error {
		return modverify.Run(ctx, a, deps)
	})
	stop()
	os.Exit(code)
}
