//go:build cgo

package store

// cgoEnabled is true in a build with cgo (macOS: the Keychain backend).
const cgoEnabled = true
