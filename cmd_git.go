package main

// GitCmd is `azcred git ACTION` (git runs git-credential-azcred ACTION);
// the flow and its failure shape are in helper/git.go.
type GitCmd struct {
	Context string   `help:"Context to use (pin it in git config: helper = azcred --context NAME)." predictor:"context"`
	Action  string   `arg:"" optional:"" help:"get, store or erase (others are ignored)."`
	Rest    []string `arg:"" optional:"" hidden:""`
}

func (c *GitCmd) Run(a *app) error {
	return a.call.Git(ctxBackground(), c.Action, c.Context)
}
