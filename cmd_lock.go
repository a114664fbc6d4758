package main

// LockCmd drops the vault key of the user store from the login session's
// key cache (see store/keycache.go), like `sudo -k`: the next call asks
// the keyring, or the passphrase, again. Nothing in the store changes.
type LockCmd struct{}

func (c *LockCmd) Run(a *app) error {
	p, err := a.Profile()
	if err != nil {
		return err
	}
	n, where := p.User.DropCachedKeys()
	if where == "" {
		a.notef("nothing to lock: the %s backend's key is not cached by azcred", p.User.Keys().Describe().Backend)
		return nil
	}
	a.notef("locked: dropped %d cached vault key(s) of %s from %s", n, p.User.Dir(), where)
	return nil
}
