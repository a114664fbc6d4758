package main

import (
	"cmp"
	"fmt"
	"text/tabwriter"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/store"
)

// TokenCmd prints an access token (Get-AzAccessToken, az account get-access-token).
type TokenCmd struct {
	Context    string `help:"Context to use (default: resolution order)." predictor:"context"`
	OAuthScope string `name:"oauth-scope" help:"OAuth scope, e.g. https://vault.azure.net/.default." xor:"what"`
	// Scope is the contract's spelling of --oauth-scope; hidden, because
	// --scope means user or process on every other command.
	Scope    string `hidden:"" help:"The old name of --oauth-scope." xor:"what"`
	Resource string `help:"Resource; the scope is RESOURCE/.default." xor:"what"`
	Tenant   string `help:"Tenant to get the token from."`
	Output   string `short:"o" help:"json (as az account get-access-token) or raw (the token and a newline)." enum:"json,raw" default:"json"`
}

func (c *TokenCmd) Run(a *app) error {
	reply, err := a.call.AccessToken(ctxBackground(), helper.TokenRequest{Context: c.Context, Scope: cmp.Or(c.OAuthScope, c.Scope), Resource: c.Resource, Tenant: c.Tenant})
	if err != nil {
		return err
	}
	if c.Output == "raw" {
		_, err := fmt.Fprintln(a.stdout, reply.AccessToken)
		return err
	}
	return writeJSON(a, reply)
}

// SubscriptionCmd lists subscriptions (Get-AzSubscription).
type SubscriptionCmd struct {
	List SubscriptionListCmd `cmd:"" default:"withargs" help:"List the subscriptions the context's account can see."`
}

// SubscriptionListCmd lists subscriptions.
type SubscriptionListCmd struct {
	Context string `help:"Context to use." predictor:"context"`
	Tenant  string `help:"Tenant to list."`
	outputFlag
}

func (c *SubscriptionListCmd) Run(a *app) error {
	r, subs, err := a.call.Subscriptions(ctxBackground(), c.Context, c.Tenant)
	if err != nil {
		return err
	}
	if c.Output == "json" {
		if subs == nil {
			subs = []helper.ARMSubscription{}
		}
		return writeJSON(a, subs)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tID\tTENANT\tSTATE")
	for _, s := range subs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.ID, cmp.Or(s.TenantID, r.Tenant), s.State)
	}
	return tw.Flush()
}

// ContextSetCmd creates a context for a subscription and makes it active (Set-AzContext).
type ContextSetCmd struct {
	Subscription string `required:"" help:"Subscription id or name."`
	Tenant       string `help:"Tenant of the subscription."`
	Name         string `help:"Name of the new context (default: Az's default name)."`
	Context      string `help:"Context whose account to use (default: the active one)." predictor:"context"`
	scopeFlag
}

func (c *ContextSetCmd) Run(a *app) error {
	nc, r, err := a.call.ContextFor(ctxBackground(), c.Context, c.Tenant, c.Subscription, c.Name)
	if err != nil {
		return err
	}
	s := r.Store
	if c.process() {
		_, s, err = a.targetStore(c.scopeFlag)
		if err != nil {
			return err
		}
	}
	err = s.Update(func(cfg *store.Config) error {
		cfg.SetContext(nc)
		cfg.Default = nc.Name
		return nil
	})
	if err != nil {
		return err
	}
	a.saved(s, fmt.Sprintf("context %q is now the default", nc.Name))
	if c.process() {
		a.exports(c.shellName(a.getenv), [2]string{"AZCRED_CONTEXT", nc.Name})
	}
	return nil
}
