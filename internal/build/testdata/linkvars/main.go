package main

import "fmt"

var (
	version       = "dev"
	Commit        string
	date, builtBy string
	buildTime     = "unknown"
	// Not linkable: not a string.
	revision = 3
	// Not linkable: initialised from a call.
	gitCommit = fmt.Sprint("x")
	other     = "not a common name"
)

var BuildDate string

const appVersion = "constants cannot be set"

func main() {
	var version = "local variables are not linkable"
	fmt.Println(version, Commit, date, builtBy, buildTime, revision, gitCommit, other, BuildDate, appVersion)
}
