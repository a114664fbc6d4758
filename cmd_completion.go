package main

import "errors"

// CompletionCmd prints a completion script. (Being written.)
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish,pwsh" help:"bash, zsh, fish or pwsh."`
}

func (c *CompletionCmd) Run(a *app) error { return errors.New("completion is not implemented yet") }
