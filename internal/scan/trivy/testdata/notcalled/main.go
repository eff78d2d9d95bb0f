// Command notcalled depends on golang.org/x/text v0.3.7 but never calls the
// function that CVE-2022-32149 is about.
package main

import (
	"fmt"

	"golang.org/x/text/language"
)

func main() {
	fmt.Println(language.English.String())
}
