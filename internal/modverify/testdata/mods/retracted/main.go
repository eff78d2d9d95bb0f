// Command app uses a retracted and a deprecated module.
package main

import (
	"fmt"

	"example.com/lib"
	"example.com/old"
)

func main() { fmt.Println(lib.Version(), old.Hello()) }
