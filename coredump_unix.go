//go:build unix

package main

import "syscall"

// disableCoreDumps keeps tokens held in memory out of core files: a
// credential helper that crashes must not leave its secrets on disk.
func disableCoreDumps() {
	syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{Cur: 0, Max: 0})
}
