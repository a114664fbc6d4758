// Package helper is azcred's brain: the flows that answer git, kubectl,
// docker and `azcred token`, the resolution of a context and scope, the
// token engine (MSAL underneath), the ACR exchange, Resource Manager calls,
// sign-in, and errors that carry the command that fixes them (WithHint).
// doctor and `aks get-credentials` live in their own packages, which use
// install: helper links no YAML (deps_test.go).
//
// One request, top to bottom (a git `get`):
//
//  1. The CLI (package main) parses argv with kong, builds a Call with the
//     streams and environment it was given, and calls Call.Git with git's
//     action and the --context flag. Nothing above this point knows the
//     protocol.
//  2. git.go reads the request with protocols.ReadGitRequest, decides
//     whether it is ours (targets.go: Azure DevOps or a bound URL), and
//     applies git's failure shape.
//  3. Profile.Resolve (resolve.go) picks the context, tenant and scope in
//     the contract's order: --context, AZCRED_CONTEXT, a binding, the
//     default context, the environment's credential.
//  4. Call.Engine builds the Engine (engine.go), which answers from the
//     vault while the token has MinTTL left (no network), else acquires
//     one through a Source (sources.go, MSAL) under a per-token file lock
//     and saves it; explain.go turns a failure into an error with a hint.
//  5. git.go writes the reply with protocols.WriteGitReply on Call.Stdout.
//     An error returned to the CLI is printed there as
//     "azcred: error: ..." and "azcred: hint: ..." on stderr, exit 1.
//
// kube.go, docker.go and token.go follow the same shape. Each flow's file
// states its protocol's failure shape at the top; a flow that has written
// its own failure returns ExitStatus so the CLI adds nothing. The package
// reads and writes only the streams in Call, never the process's own.
package helper
