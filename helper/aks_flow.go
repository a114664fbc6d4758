package helper

// The `azcred aks` flows' Resource Manager half: the cluster list, and for
// get-credentials (package aks, which owns the kubeconfig merge so that
// helper links no YAML) the session and the cluster's binding. Notes and
// warnings go to stderr.

import (
	"context"
	"errors"

	"github.com/azcred/azcred/store"
)

// AksListRequest is `azcred aks list`'s flags.
type AksListRequest struct {
	AzcredContext, Subscription string
	AllSubscriptions            bool
}

// AksList returns the clusters of the resolved subscription (or of every
// subscription) and where it looked, for an empty list's note.
func (c *Call) AksList(ctx context.Context, req AksListRequest) (clusters []ManagedCluster, where string, err error) {
	e, s, err := c.ARM(ctx, req.AzcredContext, req.Subscription)
	if err != nil {
		return nil, "", err
	}
	ctx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	clusters, skipped, err := e.ListClusters(ctx, s, req.AllSubscriptions)
	if err != nil {
		return nil, "", err
	}
	for _, why := range skipped {
		c.Notef("warning: skipped %s", why)
	}
	where = "subscription " + s.Subscription
	if req.AllSubscriptions {
		where = "any subscription"
	}
	return clusters, where + " (context " + quoteArg(s.Resolved.Context.Name) + ")", nil
}

// ARM loads the profile and resolves the context and subscription for a Resource
// Manager call.
func (c *Call) ARM(ctx context.Context, azContext, subscription string) (*Engine, *ARMSession, error) {
	_, l, err := c.Load()
	if err != nil {
		return nil, nil, err
	}
	e, err := c.Engine()
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	s, err := e.OpenARM(ctx, l, azContext, subscription)
	return e, s, err
}

// BindCluster binds the cluster's servers to the context used when kubectl would not
// pick it otherwise, and says so. A binding that cannot be saved is a warning: the
// kubeconfig is still right, and the fix is one command.
func (c *Call) BindCluster(e *Engine, s *ARMSession, servers []string) {
	l, err := e.Profile.Load()
	if err != nil {
		c.Notef("warning: %v", err)
		return
	}
	name := s.Resolved.Context.Name
	for _, server := range servers {
		target, err := e.BindCluster(l, s, server)
		switch {
		case errors.Is(err, store.ErrNotSaved):
			c.Notef("autosave is off: %s is not bound to context %q; kubectl will use the default context unless you run 'azcred bind %s %s'", server, name, server, quoteArg(name))
		case err != nil:
			c.Notef("warning: could not bind %s to context %q: %v", server, name, err)
		case target != "":
			c.Notef("bound %s to context %q, so kubectl gets its tokens from it (azcred bind list)", target, name)
		}
	}
}
