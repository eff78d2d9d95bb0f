// Command app prints what its dependency says.
package main

import (
	"fmt"

	"example.com/dep"
)

func main() { fmt.Println(dep.Describe()) }
