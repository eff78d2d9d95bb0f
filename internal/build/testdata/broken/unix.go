//go:build !windows

package main

func platform() string { return "unix" }
