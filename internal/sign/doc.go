// Package sign owns signing and verification for Slipway, and is the only
// package that imports sigstore (github.com/sigstore/sigstore and
// github.com/sigstore/sigstore-go).
//
// It reads and writes cosign's key files (keys.go), signs with a key, a KMS
// key or keylessly through Fulcio and Rekor (signer.go, kms.go, fulcio.go,
// rekor.go, oidc.go), writes cosign's formats for blobs and images
// (payload.go) and Sigstore bundles (bundle.go), builds in-toto statements
// in DSSE envelopes (dsse.go, provenance.go), verifies all of them
// (verify.go), and is the sign action (spec.go, config.go, run.go, blobs.go,
// images.go, section.go, summary.go). Registry access goes through
// internal/oci.
package sign
