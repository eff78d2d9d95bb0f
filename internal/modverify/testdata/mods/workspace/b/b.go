// Package b uses lib.
package b

import "example.com/lib"

// V is lib's version.
var V = lib.Version()
