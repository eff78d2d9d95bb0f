// Package manifest owns dist/manifest.json, the one file that travels between
// Slipway actions and between the jobs of a fanned-out build.
//
// The manifest is schema version 1. Each action reads it with Load, appends
// only its own section and writes it back with Save, which validates it and
// replaces the file atomically. Sections owned by actions that have no Go
// types here yet (module, images, index, scans, signatures, published) are
// kept as raw JSON and round-trip untouched.
//
// Readers reject an unknown schemaVersion but tolerate unknown fields: a new
// optional field is not a new version. Unknown fields are not kept, though:
// a manifest that an older Slipway loads and saves loses them. Encode is
// canonical, so the same manifest always gives the same bytes.
//
// Merge unites the manifests of build shards (fan-in) and Verify re-hashes the
// files a manifest lists before anything trusts them.
package manifest
