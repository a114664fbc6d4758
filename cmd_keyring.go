package main

// KeyringCmd is `azcred keyring get URL USERNAME`, the `keyring` command
// line that pip and uv run (azcred invoked as `keyring` is this command);
// the flow and its failure shape are in helper/keyring.go.
type KeyringCmd struct {
	Args []string `arg:"" optional:"" help:"get SERVICE USERNAME [--mode password|creds] [--output plain|json]."`
}

func (c *KeyringCmd) Run(a *app) error {
	return a.call.Keyring(ctxBackground(), c.Args)
}
