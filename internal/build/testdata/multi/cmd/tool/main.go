package main

import (
	"fmt"

	"example.com/multi/v2/internal/buildinfo"
)

func main() { fmt.Println("tool", buildinfo.Version) }
