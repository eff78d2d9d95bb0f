// Package build owns the build-matrix action: targets and their runner plan,
// the pure and reproducible build environment, link-time variables, parallel
// cross-compilation, deterministic archives, checksums, the size budget, the
// reproducibility check and the fan-in merge of shard manifests.
package build
