// Package protocols reads and writes the wire formats of the programs that call
// azcred: git's credential helper protocol (git.go), the Kubernetes
// client-go exec credential plugin protocol (kube.go) and the docker
// credential helper protocol (docker.go).
//
// Rules for every file in this package:
//   - Pure functions over io.Reader and io.Writer: not the process's stdin or stdout, no
//     network, no store, no MSAL. The CLI owns the real streams.
//   - Every reader is bounded: input past the protocol's limit is an error,
//     never an unbounded allocation.
//   - Every writer validates first and then writes the whole reply in one
//     Write, so a rejected reply leaves nothing half-written on stdout.
//   - Output is deterministic (fixed key order), so replies can be golden-tested.
//   - Errors are one line, lowercase, and never contain a secret (a password,
//     token or the raw input that might hold one). Errors caused by the input
//     itself wrap ErrMalformed.
package protocols
