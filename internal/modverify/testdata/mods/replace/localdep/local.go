// Package local is replaced by a directory.
package local

// Name is a name.
const Name = "local"
