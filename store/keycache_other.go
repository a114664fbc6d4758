//go:build !linux

package store

import "runtime"

func goos() string { return runtime.GOOS }

// openSessionCache: only Linux has a kernel keyring to cache in. On macOS
// and Windows the Keychain and Credential Manager are the cache, and the
// slow backends (Secret Service, KWallet, pass) are Linux's.
func openSessionCache() sessionCache { return nil }
