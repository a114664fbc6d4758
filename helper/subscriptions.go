package helper

// Resource Manager flows of the CLI: list the subscriptions a context can
// see, derive a context for one of them (Set-AzContext), list the
// registries of a context's subscription. Each gets a management token the
// way `azcred token` does and bounds its call by the engine's timeout.

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/azcred/azcred/store"
)

// Subscriptions lists the subscriptions the account of contextName (""
// for the resolution order) sees in tenant ("" for the context's).
func (c *Call) Subscriptions(ctx context.Context, contextName, tenant string) (*Resolved, []ARMSubscription, error) {
	r, e, tok, err := c.management(ctx, contextName, tenant)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	subs, err := e.ListSubscriptions(ctx, r.Env, tok.AccessToken)
	return r, subs, err
}

// ContextFor derives a context for subscription (an id or a name) from
// the account of contextName; name "" takes Az's default name. The
// caller saves it; r says where the base context lives.
func (c *Call) ContextFor(ctx context.Context, contextName, tenant, subscription, name string) (*store.Context, *Resolved, error) {
	r, subs, err := c.Subscriptions(ctx, contextName, tenant)
	if err != nil {
		return nil, nil, err
	}
	sub := PickSubscription(subs, subscription)
	if sub == nil {
		return nil, nil, WithHint(fmt.Errorf("subscription %q is not visible to %s in tenant %s", subscription, r.Context.Account.ID, r.Tenant),
			"run 'azcred subscription list' to see the subscriptions")
	}
	nc := *r.Context
	nc.Account.Tenants = append([]string(nil), r.Context.Account.Tenants...)
	nc.Subscription = store.Subscription{ID: sub.ID, Name: sub.Name, State: sub.State}
	nc.Tenant = cmp.Or(sub.TenantID, r.Tenant)
	nc.Name = name
	if nc.Name == "" {
		nc.Name = nc.DefaultName()
	}
	if r.Implicit != nil {
		return nil, nil, WithHint(errors.New("the environment context is not saved, so it cannot be the base of a saved context"), "sign in with 'azcred login --service-principal'")
	}
	return &nc, r, nil
}

// Registries lists the login servers of the container registries in the
// subscription of contextName ("" for the resolution order).
func (c *Call) Registries(ctx context.Context, contextName string) ([]string, error) {
	r, e, tok, err := c.management(ctx, contextName, "")
	if err != nil {
		return nil, err
	}
	if r.Context.Subscription.ID == "" {
		return nil, WithHint(fmt.Errorf("context %q has no subscription", r.Context.Name), "run 'azcred context set --subscription S'")
	}
	ctx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	regs, err := e.ListRegistries(ctx, r.Env, tok.AccessToken, r.Context.Subscription.ID)
	if err != nil {
		return nil, fmt.Errorf("listing container registries in subscription %s: %w", r.Context.Subscription.ID, err)
	}
	var out []string
	for _, g := range regs {
		if g.LoginServer != "" {
			out = append(out, g.LoginServer)
		}
	}
	return out, nil
}

// management gets a Resource Manager token and the engine to call ARM with.
func (c *Call) management(ctx context.Context, contextName, tenant string) (*Resolved, *Engine, *Token, error) {
	r, tok, err := c.Token(ctx, Request{Context: contextName, Tenant: tenant, DefaultScope: ManagementScope})
	if err != nil {
		return nil, nil, nil, err
	}
	e, err := c.Engine()
	if err != nil {
		return nil, nil, nil, err
	}
	return r, e, tok, nil
}
