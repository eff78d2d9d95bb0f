package dep

import "example.com/lib"

// Describe names the lib this dep was built against.
func Describe() string { return "dep with lib " + lib.Version() }
