// Command hello greets people in their language. It is the example module
// that Slipway's demo and tests build, sign, scan and publish.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/spf13/pflag"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// Set at link time by build-matrix (-X main.version=... and so on).
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("hello", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.StringP("lang", "l", "en", "BCP 47 language tag of the greeting")
	showVersion := fs.BoolP("version", "v", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *showVersion {
		fmt.Fprintf(stdout, "hello %s (commit %s, built %s, %s/%s)\n", version, commit, date, runtime.GOOS, runtime.GOARCH)
		return 0
	}
	tag, err := language.Parse(*lang)
	if err != nil {
		fmt.Fprintf(stderr, "hello: --lang %q: %v\n", *lang, err)
		return 2
	}
	name := "world"
	if fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	fmt.Fprintln(stdout, greet(tag, name))
	return 0
}

var greetings = map[language.Base]string{}

func greet(tag language.Tag, name string) string {
	base, _ := tag.Base()
	word := "hello"
	switch base.String() {
	case "de":
		word = "hallo"
	case "fr":
		word = "bonjour"
	case "es":
		word = "hola"
	case "tr":
		word = "merhaba"
	}
	return cases.Title(tag).String(word) + ", " + cases.Title(tag).String(name) + "!"
}
