// Copyright notice.

//go:build linux && amd64
// +build linux

package tags

// Disagree builds on linux/arm64 only for Go before 1.17.
const Disagree = true
