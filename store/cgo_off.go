//go:build !cgo

package store

// cgoEnabled is false in a build without cgo, which on macOS has no Keychain backend.
const cgoEnabled = false
