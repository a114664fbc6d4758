package main

import "github.com/azcred/azcred/store"

// LockCmd drops the vault keys cached in the login session's kernel
// keyring (see store/keycache.go), like `sudo -k`: the next call asks the
// keyring, or the passphrase, again. Nothing in the store changes.
type LockCmd struct{}

func (c *LockCmd) Run(a *app) error {
	n, where, err := store.LockAll()
	switch {
	case err != nil:
		return err
	case where == "":
		a.notef("nothing to lock: this system has no session key cache")
	default:
		a.notef("locked: dropped %d cached vault key(s) from %s", n, where)
	}
	return nil
}
