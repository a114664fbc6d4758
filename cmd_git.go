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
	"strings"

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
	if err == nil && req.Protocol != "" && !helper.IsGitHTTP(req.Protocol) {
		// git asks about other protocols too (protocol=cert, with a path
		// and no host, for a client certificate's passphrase): not ours,
		// and not malformed either.
		a.debugf("git: a %s request is not ours", req.Protocol)
		return nil
	}
	if err == nil {
		err = req.Validate(action)
	}
	if err != nil {
		msg := strings.TrimPrefix(firstLine(err.Error()), "git: ")
		fmt.Fprintf(a.stderr, "azcred: git: request ignored: %s\n", msg)
		return nil
	}
	if action == protocols.GitStore {
		return nil // our tokens are minted, not stored
	}
	t, ok := helper.ParseGitTarget(req.Protocol, req.Host, req.Path, req.Username)
	if !ok {
		a.debugf("git: a %s request is not ours", req.Protocol)
		return nil
	}
	p, l, err := a.load()
	if err != nil {
		return a.gitFail(err, action)
	}
	target, bound := t.URL, false
	for _, u := range t.Candidates() {
		if l.MatchBinding(u) != nil {
			target, bound = u, true
			break
		}
	}
	// A pinned --context or AZCRED_CONTEXT does not make a host ours: only
	// Azure DevOps and bound targets ever get a token, so a global
	// "helper = azcred --context X" cannot hand an Entra token to github.com.
	if !t.DevOps && !bound {
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
