package lib

// Version is the version of this copy of lib.
func Version() string { return "v2.0.0" }
