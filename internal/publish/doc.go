// Package publish is the publish action: it turns the linux binaries listed
// in dist/manifest.json into multi-platform OCI images (an OCI image layout
// in dist/oci, and optionally registry pushes with tags), merges images that
// fan-out runners pushed by digest into one index, pushes the release files
// as an OCI artifact and uploads them to a GitHub Release.
//
// It owns the manifest sections images, index and published. Everything
// about images and registries goes through internal/oci.
package publish
