// Command verify-mod checks go.mod and go.sum integrity (module cache,
// checksum database) and dependency hygiene (tidy, vendor, replace,
// toolchain, retracted, environment, diff, build constraints). It runs as a
// GitHub Action (GITHUB_ACTIONS=true) or as a CLI with the same inputs as
// flags; see docs/verify-mod.md.
package main

import (
	"context"
	"net/http"
	"os"
	"time"

	"github.com/slipway-dev/slipway/internal/build"
	"github.com/slipway-dev/slipway/internal/gha"
	"github.com/slipway-dev/slipway/internal/modverify"
)

func main() {
	cacheDir, _ := os.UserCacheDir() // empty when unknown: the sumdb-cache input or RUNNER_TEMP then decides
	deps := modverify.Deps{
		Runner:       build.ExecRunner{},
		HTTP:         &http.Client{Timeout: 30 * time.Second},
		UserCacheDir: cacheDir,
		TempDir:      os.TempDir(),
		SumDBRetry:   modverify.RetryPolicy{Attempts: 4, Base: 500 * time.Millisecond},
		Concurrency:  16,
	}
	os.Exit(gha.Main(modverify.ActionSpec(), func(ctx context.Context, a *gha.Action) error {
		return modverify.Run(ctx, a, deps)
	}))
}
