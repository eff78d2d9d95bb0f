package modverify

import "github.com/slipway-dev/slipway/internal/gha"

// ActionSpec declares the verify-mod action's inputs and outputs: action.yml,
// CLI flags, --help and docs/verify-mod.md come from or are tested against it.
func ActionSpec() gha.Spec {
	return gha.Spec{
		Name:        "verify-mod",
		Description: "Check go.mod and go.sum integrity (module cache, checksum database) and dependency hygiene (tidy, vendor, replace, toolchain, retracted, environment, diff, build constraints); every finding points at its go.mod or go.sum line.",
		Inputs: []gha.Input{
			{Name: "module-dir", Description: "Directories holding the go.mod of the modules to check, relative to the workspace; all: every go.mod in the workspace and every module its go.work uses.", Default: ".", Kind: gha.KindList},
			{Name: "checks", Description: "Checks to run: all, or names among verify, sumdb, tidy, vendor, replace, toolchain, retracted, environment, diff, build-constraints; -name leaves one out (all,-sumdb).", Default: "all", Kind: gha.KindList},
			{Name: "fail-on", Description: "Lowest severity that fails the step with exit code 3: error, warning or none.", Default: FailOnError},
			{Name: "allow-replace", Description: "Module path patterns (GOPRIVATE syntax: example.com/fork/*) whose replace directives are accepted.", Kind: gha.KindList},
			{Name: "base-ref", Description: "Git ref to diff the dependencies against; default in a pull request: origin/<GITHUB_BASE_REF>. Without one the diff check is skipped."},
			{Name: "sumdb", Description: "Checksum database as GOSUMDB writes it (name, name+key or name+key url); default: the job's GOSUMDB, else sum.golang.org."},
			{Name: "sumdb-cache", Description: "Directory for verified checksum database tiles and lookups; default: $RUNNER_TEMP/slipway-sumdb, else the user cache directory."},
			{Name: "sarif", Description: "Write the findings as SARIF 2.1.0 to this path (for github/codeql-action/upload-sarif)."},
			{Name: "dist", Description: "Output directory inside the workspace holding manifest.json; its module section records what was checked.", Default: "dist"},
		},
		Outputs: []gha.Output{
			{Name: "findings", Description: "The findings as compact JSON: [{rule, severity, check, module, file, line, subject, message, fix}]."},
			{Name: "passed", Description: "true when no finding is at or above fail-on, else false."},
			{Name: "sarif", Description: "Path of the SARIF file, when sarif is set."},
			{Name: "manifest", Description: "Path of dist/manifest.json."},
			{Name: "diff", Description: "The dependency diff against base-ref as compact JSON: [{module, changes: [{path, from, to, change, direct, major, unexplained}]}]."},
		},
	}
}
