package lib

// Version is the version of this copy of lib.
func Version() string { return "v1.2.0" }
