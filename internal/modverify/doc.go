// Package modverify owns the verify-mod action: go.mod and go.sum integrity
// and dependency hygiene gates built on golang.org/x/mod. It finds the
// modules to check (a list, or every go.mod of a repository and its go.work),
// runs the checks (verify, sumdb, tidy, vendor, replace, toolchain,
// retracted, environment, diff, build-constraints), and reports every
// finding with a stable rule ID on its go.mod, go.sum or source line: as an
// annotation, a summary row, a JSON output, a SARIF 2.1.0 result and counts
// in the manifest's module section.
package modverify
