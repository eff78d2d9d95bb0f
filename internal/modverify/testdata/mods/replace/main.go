// Command app uses a replaced module.
package main

import (
	"fmt"

	"example.com/dep"
	"example.com/local"
)

func main() { fmt.Println(dep.Describe(), local.Name) }
