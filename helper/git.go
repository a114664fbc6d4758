package helper

// The git credential helper's flow (gitcredentials(7), git-credential(1)).
// Its failure shape: stdout carries only the reply; unknown actions and
// requests that are not ours end quietly (exit 0) so git moves on to the
// next helper; store never fails and erase never fails; a malformed
// request gets one line on stderr and exit 0 (git ignores a helper's
// status); a request that is ours but cannot be answered replies quit=1
// and returns the error, which the CLI prints on stderr with its hint,
// exit 1.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/azcred/azcred/protocols"
	"github.com/azcred/azcred/store"
)

// Git answers one git request: action is git's argument, pinned the
// context named on the helper's command line ("" for none).
func (c *Call) Git(ctx context.Context, action, pinned string) error {
	act := protocols.ParseGitAction(action)
	switch act {
	case protocols.GitUnknown:
		c.debugf("git: ignoring action %q", action)
		return nil
	case protocols.GitCapability:
		return protocols.WriteGitCapabilities(c.Stdout)
	}
	req, err := protocols.ReadGitRequest(c.Stdin)
	if err == nil && req.Protocol != "" && !IsGitHTTP(req.Protocol) {
		// git asks about other protocols too (protocol=cert, with a path
		// and no host, for a client certificate's passphrase): not ours,
		// and not malformed either.
		c.debugf("git: a %s request is not ours", req.Protocol)
		return nil
	}
	if err == nil {
		err = req.Validate(act)
	}
	if err != nil {
		msg := strings.TrimPrefix(FirstLine(err.Error()), "git: ")
		fmt.Fprintf(c.Stderr, "azcred: git: request ignored: %s\n", msg)
		return nil
	}
	if act == protocols.GitStore {
		return nil // our tokens are minted, not stored
	}
	err = c.gitAnswer(ctx, act, req, pinned)
	if err != nil && act == protocols.GitErase {
		c.debugf("git erase: %v", err)
		return nil
	}
	if err != nil {
		// The request is ours and azcred has said why it cannot answer:
		// quit=1 stops git (>= 2.12) from asking the next helper or the
		// terminal ("Username for ..."), so the user sees one reason, not
		// a prompt (https://git-scm.com/docs/gitcredentials#_custom_helpers).
		protocols.WriteGitQuit(c.Stdout)
	}
	return err
}

// gitAnswer serves a valid get or erase.
func (c *Call) gitAnswer(ctx context.Context, act protocols.GitAction, req *protocols.GitRequest, pinned string) error {
	t, ok := ParseGitTarget(req.Protocol, req.Host, req.Path, req.Username)
	if !ok {
		c.debugf("git: a %s request is not ours", req.Protocol)
		return nil
	}
	p, l, err := c.Load()
	if err != nil {
		return err
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
		c.debugf("git: %s is neither Azure DevOps nor bound: not ours", target)
		return nil
	}
	hint := ""
	if uri, ok := protocols.ParseBearerChallenge(req.WWWAuth); ok {
		hint = TenantFromChallenge(uri)
	}
	r, err := p.Resolve(l, Request{Target: target, Context: pinned, TenantHint: hint,
		DefaultScope: func(*store.Environment) string { return DevOpsScope }})
	if err != nil {
		return err
	}
	c.debugf("git: %s → context %q (%s), tenant %s", target, r.Context.Name, r.Source, r.Tenant)
	e, err := c.Engine()
	if err != nil {
		return err
	}
	if act == protocols.GitErase {
		if err := e.Forget(r); err != nil && !errors.Is(err, store.ErrNotSaved) {
			c.debugf("git erase: %v", err)
		}
		return nil
	}
	tok, err := e.Token(ctx, r)
	if err != nil {
		return err
	}
	return protocols.WriteGitReply(c.Stdout, protocols.GitReply{Username: r.Context.Account.ID, Password: tok.AccessToken,
		Expiry: tok.ExpiresOn, Bearer: req.Has(protocols.GitCapabilityAuthType)})
}
