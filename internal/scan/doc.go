// Package scan owns the scan action apart from the scanner itself: the
// subjects, the finding model, the gate (fail-on and report severities,
// ignore-unfixed, ignore files with expiry, licence allow and forbid lists,
// reachability), the reports (JSON, SARIF 2.1.0, CycloneDX and SPDX SBOMs,
// the combined multi-arch SBOM, the step summary) and the manifest's scans
// section.
//
// It never imports Trivy: the scanner is a Backend, implemented by
// internal/scan/trivy, a nested module that cmd/scan links. The root module
// therefore builds and tests without GOEXPERIMENT=jsonv2 and without Trivy's
// dependency tree.
package scan
