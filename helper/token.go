package helper

// The flow of `azcred token` (and of every command that needs one token):
// resolve the context and scope, then ask the engine, which answers from
// the vault when it can.

import (
	"cmp"
	"context"

	"github.com/azcred/azcred/store"
)

// TokenRequest is what `azcred token` is asked for; Scope and Resource
// exclude each other (the CLI's grammar enforces it), Resource wins here.
type TokenRequest struct {
	Context  string
	Scope    string
	Resource string
	Tenant   string
}

// TokenReply is `azcred token`'s answer, shaped as az account get-access-token's JSON.
type TokenReply struct {
	AccessToken  string `json:"accessToken"`
	ExpiresOn    string `json:"expiresOn"`
	ExpiresOnUnx int64  `json:"expires_on"`
	Subscription string `json:"subscription,omitempty"`
	Tenant       string `json:"tenant"`
	TokenType    string `json:"tokenType"`
}

// ManagementScope is the scope of `azcred token` and of Resource Manager
// calls when nothing else names one.
func ManagementScope(e *store.Environment) string { return ScopeFor(e.ManagementResource) }

// AccessToken answers `azcred token`.
func (c *Call) AccessToken(ctx context.Context, req TokenRequest) (*TokenReply, error) {
	scope := req.Scope
	if req.Resource != "" {
		scope = ScopeFor(req.Resource)
	}
	r, tok, err := c.Token(ctx, Request{Context: req.Context, Scope: scope, Tenant: req.Tenant, DefaultScope: ManagementScope})
	if err != nil {
		return nil, err
	}
	return &TokenReply{AccessToken: tok.AccessToken, ExpiresOn: tok.ExpiresOn.Local().Format("2006-01-02 15:04:05.000000"),
		ExpiresOnUnx: tok.ExpiresOn.Unix(), Subscription: r.Context.Subscription.ID, Tenant: cmp.Or(tok.Tenant, r.Tenant), TokenType: "Bearer"}, nil
}

// Token resolves req and gets its token.
func (c *Call) Token(ctx context.Context, req Request) (*Resolved, *Token, error) {
	p, l, err := c.Load()
	if err != nil {
		return nil, nil, err
	}
	r, err := p.Resolve(l, req)
	if err != nil {
		return nil, nil, err
	}
	c.debugf("context %q (%s), scope %s, tenant %s", r.Context.Name, r.Source, r.Scope, r.Tenant)
	e, err := c.Engine()
	if err != nil {
		return nil, nil, err
	}
	tok, err := e.Token(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	return r, tok, nil
}
