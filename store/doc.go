// Package store keeps azcred's saved state on disk: contexts, environments,
// bindings and settings in one JSON file with no secrets in it
// (config.json), and everything secret encrypted (vault.bin, and one
// record per cached token) with a key that lives in the OS keyring. A warm
// call reads an index of the config and one token record, so its cost
// does not grow with what the store holds.
//
// Rules this package enforces, for every caller:
//   - directories are 0700 and files 0600;
//   - every write is atomic (temp file, fsync, rename) and every
//     read-modify-write runs under the store's file lock, so concurrent
//     azcred processes never corrupt a file or lose a write;
//   - a file that cannot be parsed, or that a newer azcred wrote, is
//     reported with its absolute path and never overwritten;
//   - a store directory another user owns or can write, and a store file
//     that is a link, not a regular file, or writable by others, is refused
//     with its path and the fix before anything is read or written; reads
//     never block and are bounded, and nothing is written larger than it
//     can be read back (safefile.go);
//   - only a session store azcred made is ever deleted (session.go);
//   - nothing here reads the terminal or writes to stdout: a keyring that
//     would prompt is a configuration error, not a prompt.
//
// Layout of a store directory (the user store, or a session store named
// by AZCRED_SESSION):
//
//	config.json          Config, schema version 1
//	config.idx           an index of config.json for the token flows (configindex.go)
//	vault.bin            Secrets but cached tokens, AES-256-GCM, key in the keyring
//	tokens/              one encrypted record per cached token (tokenrecords.go)
//	.lock                the file lock
//	keyring/             the 99designs/keyring "file" backend, with AZCRED_KEYRING_PASSPHRASE
//	vault.key            the generated vault key: file backend without a passphrase, and session stores
//	locks/               per-token refresh locks (single-flight refresh), removed with their token
//
// The keys of the vault's maps and records are built in vaultkeys.go.
package store
