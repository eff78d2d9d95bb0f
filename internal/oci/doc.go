// Package oci owns everything Slipway does with OCI images and registries,
// and is the only package that imports go-containerregistry.
//
// It builds deterministic single-binary images on a base image resolved to a
// digest (layer.go, image.go), assembles them into an OCI image index
// (index.go), writes an OCI image layout (layout.go), pushes to registries
// with bounded retries and moves tags only once everything they point at is
// stored (push.go), resolves registry credentials (auth.go), derives image
// tags from a version and a git ref (tags.go), and pushes release files as an
// OCI artifact (artifact.go).
//
// The package speaks in its own types (Platform, Image, Index, Descriptor,
// Client) so that callers never see go-containerregistry's.
package oci
