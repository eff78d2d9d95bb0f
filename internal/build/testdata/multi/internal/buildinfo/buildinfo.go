// Package buildinfo holds what the linker stamps into the tool.
package buildinfo

// Version is set with -X at link time.
var Version = "dev"
