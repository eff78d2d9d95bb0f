//go:build linux && (amd64 || arm64)
// +build linux
// +build amd64 arm64

package tags

// Agree builds where both lines say so.
const Agree = true
