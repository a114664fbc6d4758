package main

// The git credential helper. Rules (gitcredentials(7), git-credential(1)):
// stdout carries only the reply; unknown actions and requests that are not
// ours are ignored with exit 0 so git moves on to the next helper; store
// never fails; a malformed request gets one line on stderr and exit 0
// (git ignores a helper's status); a request that is ours but cannot be
// answered exits 1 with the reason and the fix on stderr.

import (
	"errors"
	"fmt"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/protocols"
	"github.com/azcred/azcred/store"
)

// GitCmd is `azcred git ACTION` (git runs git-credential-azcred ACTION).
type GitCmd struct {
	Context string   `help:"Context to use (pin it in git config: helper = azcred --context NAME)." predictor:"context"`
	Action  string   `arg:"" optional:"" help:"get, store or erase (others are ignored)."`
	Rest    []string `arg:"" optional:"" hidden:""`
}

func (c *GitCmd) Run(a *app) error {
	action := protocols.ParseGitAction(c.Action)
	switch action {
	case protocols.GitUnknown:
		a.debugf("git: ignoring action %q", c.Action)
		return nil
	case protocols.GitCapability:
		return protocols.WriteGitCapabilities(a.stdout)
	}
	req, err := protocols.ReadGitRequest(a.stdin)
	if err == nil {
		err = req.Validate(action)
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "azcred: git: %s\n", firstLine(err.Error()))
		return nil
	}
	if action == protocols.GitStore {
		return nil // our tokens are minted, not stored
	}
	target, devops := helper.GitTarget(req.Protocol, req.Host, req.Path, req.Username)
	p, l, err := a.load()
	if err != nil {
		return a.gitFail(err, action)
	}
	if !devops && l.MatchBinding(target) == nil && c.Context == "" {
		a.debugf("git: %s is neither Azure DevOps nor bound: not ours", target)
		return nil
	}
	hint := ""
	if uri, ok := protocols.ParseBearerChallenge(req.WWWAuth); ok {
		hint = helper.TenantFromChallenge(uri)
	}
	r, err := p.Resolve(l, helper.Request{Target: target, Context: c.Context, TenantHint: hint,
		DefaultScope: func(*store.Environment) string { return helper.DevOpsScope }})
	if err != nil {
		return a.gitFail(err, action)
	}
	a.debugf("git: %s → context %q (%s), tenant %s", target, r.Context.Name, r.Source, r.Tenant)
	e, err := a.engine(p)
	if err != nil {
		return a.gitFail(err, action)
	}
	if action == protocols.GitErase {
		if err := e.Forget(r); err != nil && !errors.Is(err, store.ErrNotSaved) {
			a.debugf("git erase: %v", err)
		}
		return nil
	}
	tok, err := e.Token(ctxBackground(), r)
	if err != nil {
		return a.gitFail(err, action)
	}
	return protocols.WriteGitReply(a.stdout, protocols.GitReply{Username: r.Context.Account.ID, Password: tok.AccessToken,
		Expiry: tok.ExpiresOn, Bearer: req.Has(protocols.GitCapabilityAuthType)})
}

// gitFail reports on stderr; erase never fails.
func (a *app) gitFail(err error, action protocols.GitAction) error {
	if action == protocols.GitErase {
		a.debugf("git erase: %v", err)
		return nil
	}
	report(a.stderr, err)
	return exitCode(1)
}
