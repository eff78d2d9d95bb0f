package scan

import (
	"strings"

	"github.com/slipway-dev/slipway/internal/gha"
)

// Reachability modes.
const (
	ReachAuto = "auto"
	ReachOn   = "true"
	ReachOff  = "false"
)

// SBOM formats.
const (
	FormatCycloneDX = "cyclonedx"
	FormatSPDX      = "spdx"
)

// ActionSpec declares the scan action's inputs and outputs: action.yml, CLI
// flags, --help and docs/scan.md come from or are tested against it.
func ActionSpec() gha.Spec {
	return gha.Spec{
		Name:        "scan",
		Description: "Scan Go binaries, the module, OCI images and root filesystems for vulnerabilities and licences with Trivy (embedded at a pinned version), mark Go vulnerabilities whose code is never called, gate on severity, and write SARIF, JSON and SBOMs.",
		Inputs: []gha.Input{
			{Name: "paths", Description: "Binaries, module directories (or go.mod files), root filesystem directories or OCI image layouts to scan instead of the manifest's subjects.", Kind: gha.KindList},
			{Name: "images", Description: "Image references in a registry to scan; every platform of an index is scanned and reported on its own.", Kind: gha.KindList},
			{Name: "module-dir", Description: "The module: its go.mod and go.sum are scanned, and its source drives reachability.", Default: "."},
			{Name: "dist", Description: "The dist directory: its manifest names the binaries (and dist/oci the images) scanned by default; reports go to dist/scan and dist/sbom.", Default: "dist"},
			{Name: "db-repository", Description: "OCI repositories of the Trivy vulnerability DB, tried in order (an organisation's mirror goes here).", Default: strings.Join(defaultDBRepositories, ","), Kind: gha.KindList},
			{Name: "db-digest", Description: "Pin the exact DB (sha256:... manifest digest, as the db-digest output prints it) so that a gate gives the same answer on every run."},
			{Name: "cache-dir", Description: "Where the DB is cached (restore it with actions/cache keyed on the cache-key output); default: RUNNER_TOOL_CACHE/slipway-trivy, else ~/.cache/slipway/trivy."},
			{Name: "skip-db-update", Description: "Use the cached DB as it is; an empty cache is an error.", Default: "false", Kind: gha.KindBool},
			{Name: "reachability", Description: "Run govulncheck over the module's source and mark Go vulnerabilities whose vulnerable code is not called as not affected: auto (when module-dir has source), true or false.", Default: ReachAuto},
			{Name: "vuln-db", Description: "The Go vulnerability DB govulncheck reads (https:// or file://).", Default: "https://vuln.go.dev"},
			{Name: "fail-on", Description: "Severities that fail the gate (exit 3).", Default: "CRITICAL,HIGH", Kind: gha.KindList},
			{Name: "report", Description: "Severities reported in every output (all, or a list that includes fail-on).", Default: "all", Kind: gha.KindList},
			{Name: "ignore-unfixed", Description: "Vulnerabilities without a fixed version are reported but never fail the gate.", Default: "false", Kind: gha.KindBool},
			{Name: "ignore-file", Description: "A .trivyignore file (IDs, optional exp:YYYY-MM-DD) or a YAML ignore file (.yaml: id, reason, expires); default: .trivyignore.yaml or .trivyignore in the workspace when present."},
			{Name: "licenses-allowed", Description: "SPDX licence IDs allowed; any other licence found fails the gate.", Kind: gha.KindList},
			{Name: "licenses-forbidden", Description: "SPDX licence IDs that fail the gate.", Kind: gha.KindList},
			{Name: "sarif", Description: "Where to write the SARIF file, relative to the workspace; default: dist/scan/results.sarif."},
			{Name: "sbom-formats", Description: "SBOM formats written per subject and for each multi-arch image: cyclonedx, spdx, or none.", Default: "cyclonedx,spdx", Kind: gha.KindList},
		},
		Outputs: []gha.Output{
			{Name: "passed", Description: "true when every subject passed the gate, else false."},
			{Name: "counts", Description: "Affected vulnerabilities per severity plus notAffected, ignored, unfixed, licenseViolations and failing, as compact JSON."},
			{Name: "sarif", Description: "Path of the SARIF file."},
			{Name: "report", Description: "Path of the JSON report."},
			{Name: "sbom", Description: "Paths of the SBOMs written, as a compact JSON array (the combined multi-arch ones first)."},
			{Name: "db-digest", Description: "Digest of the vulnerability DB used: pass it as db-digest to pin it."},
			{Name: "cache-key", Description: "A key for actions/cache that changes when the DB does."},
			{Name: "manifest", Description: "Path of dist/manifest.json, when the dist has one."},
		},
	}
}
