// Package trivy is the scan action's scanner: Trivy v0.74.0 as a library
// (vulnerability DB download from an OCI repository, Go binary, go.mod,
// image and rootfs analysis) and govulncheck (golang.org/x/vuln/scan) for
// reachability. It is the only importer of Trivy and lives in a nested
// module so that nothing else in Slipway links Trivy or needs
// GOEXPERIMENT=jsonv2 to build.
//
// It implements scan.Backend; cmd/scan wires it into scan.Run.
package trivy
