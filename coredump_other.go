//go:build !unix

package main

// disableCoreDumps: Windows writes no core files by default.
func disableCoreDumps() {}
