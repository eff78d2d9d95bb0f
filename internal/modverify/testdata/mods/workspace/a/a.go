// Package a uses lib.
package a

import "example.com/lib"

// V is lib's version.
var V = lib.Version()
