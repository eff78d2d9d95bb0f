package build

import "github.com/slipway-dev/slipway/internal/gha"

// Modes of the build-matrix action.
const (
	ModePlan  = "plan"
	ModeBuild = "build"
	ModeMerge = "merge"
)

// ActionSpec declares the build-matrix action's inputs and outputs: action.yml,
// CLI flags, --help and docs/build-matrix.md come from or are tested against it.
func ActionSpec() gha.Spec {
	return gha.Spec{
		Name:        "build-matrix",
		Description: "Plan a GOOS/GOARCH matrix, cross-compile a Go module reproducibly with archives and checksums, and merge the shards of a fan-out build.",
		Inputs: []gha.Input{
			{Name: "mode", Description: "plan (emit the strategy.matrix JSON), build (compile targets or one shard) or merge (unite shard dist directories).", Default: ModeBuild},
			{Name: "module-dir", Description: "Directory holding the go.mod of the module to build, relative to the workspace.", Default: "."},
			{Name: "main", Description: "Main package(s) to build, as go build takes them (./cmd/tool); one binary each.", Default: ".", Kind: gha.KindList},
			{Name: "binary", Description: "Binary name(s), one per main package; default: the last element of each main package path.", Kind: gha.KindList},
			{Name: "targets", Description: "goos/goarch[/variant] targets (linux/arm/7, linux/amd64/v3) or all for every first-class port.", Default: "linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64", Kind: gha.KindList},
			{Name: "runners", Description: "pattern=runner lines over the defaults (linux/arm64=ubuntu-24.04-arm, darwin=macos-latest, windows=windows-latest, *=ubuntu-latest).", Kind: gha.KindList},
			{Name: "shards", Description: "Plan: the most jobs to spread targets over (0: one job per target); targets with cgo off are grouped when the cap binds.", Default: "0", Kind: gha.KindInt},
			{Name: "shard", Description: "Build: the shard of the plan (made from the same targets, runners, shards and cgo inputs) to build (the matrix entry's shard value)."},
			{Name: "version", Description: "Version to stamp and name archives with; default: the semver tag at HEAD, else a Go pseudo-version from the commit.", Default: ""},
			{Name: "ldflags", Description: "Extra linker flags, appended after -s -w -buildid= and the -X variables."},
			{Name: "flags", Description: "Extra go build flags, split on spaces with quotes grouping (never through a shell)."},
			{Name: "tags", Description: "Build tags.", Kind: gha.KindList},
			{Name: "link-vars", Description: "key=symbol lines overriding detection of the -X variables (keys: version, commit, short-commit, date, built-by), or none.", Kind: gha.KindList},
			{Name: "env", Description: "KEY=VALUE lines added to the build environment.", Kind: gha.KindList},
			{Name: "cgo", Description: "Targets to build with CGO_ENABLED=1 (they need a native runner), or all; cgo is off otherwise.", Kind: gha.KindList},
			{Name: "dist", Description: "Output directory inside the workspace.", Default: "dist"},
			{Name: "parallelism", Description: "Targets compiled at once (0: the number of CPUs).", Default: "0", Kind: gha.KindInt},
			{Name: "archives", Description: "auto (tar.gz, zip for windows), tar.gz, zip or none.", Default: FormatAuto},
			{Name: "extra-files", Description: "Files (globs, relative to module-dir) added to every archive; default: LICENSE* and README* when present.", Kind: gha.KindList},
			{Name: "checksums", Description: "Checksums file algorithm: sha256, sha512 or none.", Default: ChecksumSHA256},
			{Name: "previous-manifest", Description: "manifest.json of the previous release, for the binary size delta and budget."},
			{Name: "size-budget", Description: "Largest growth in percent of a binary against previous-manifest.", Default: "15", Kind: gha.KindInt},
			{Name: "size-budget-warn-only", Description: "Report growth over the budget as a warning instead of failing.", Default: "false", Kind: gha.KindBool},
			{Name: "verify-reproducible", Description: "Rebuild every target in a fresh copy of the source at another path with an empty GOCACHE and fail on any difference.", Default: "false", Kind: gha.KindBool},
			{Name: "inputs", Description: "Merge: shard directories or manifests (globs allowed), as actions/download-artifact lays them out.", Kind: gha.KindList},
		},
		Outputs: []gha.Output{
			{Name: "matrix", Description: "Plan: JSON for strategy.matrix ({\"include\":[{\"shard\",\"runner\",\"targets\"}]})."},
			{Name: "manifest", Description: "Path of dist/manifest.json."},
			{Name: "artifacts", Description: "The manifest's artifacts as compact JSON."},
			{Name: "checksums", Description: "Path of the checksums file."},
			{Name: "version", Description: "The version built."},
		},
	}
}
