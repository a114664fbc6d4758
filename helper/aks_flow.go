package helper

// The `azcred aks` flows: Resource Manager for the cluster list and the
// kubeconfig AKS hands out, install/ for merging it into the user's
// kubeconfig, and a binding when the context used would not be picked by
// kubectl's own resolution. Notes and warnings go to stderr; only
// `get-credentials --file -` writes to stdout (the kubeconfig).

import (
	"context"
	"errors"
	"strings"

	"github.com/azcred/azcred/install"
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
	e, s, err := c.openARM(ctx, req.AzcredContext, req.Subscription)
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
		c.notef("warning: skipped %s", why)
	}
	where = "subscription " + s.Subscription
	if req.AllSubscriptions {
		where = "any subscription"
	}
	return clusters, where + " (context " + quoteArg(s.Resolved.Context.Name) + ")", nil
}

// AksGetCredentialsRequest is `azcred aks get-credentials`'s flags.
type AksGetCredentialsRequest struct {
	GetCredentialsRequest
	AzcredContext, Subscription string
	// File is the kubeconfig to merge into; "-" prints to stdout; "" is
	// $KUBECONFIG's first file or ~/.kube/config.
	File              string
	OverwriteExisting bool
}

// AksGetCredentials fetches a cluster's kubeconfig and merges it (or
// prints it). Any failure leaves the kubeconfig byte-identical.
func (c *Call) AksGetCredentials(ctx context.Context, req AksGetCredentialsRequest) error {
	e, s, err := c.openARM(ctx, req.AzcredContext, req.Subscription)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	req.Command = install.ExecCommand()
	creds, err := e.GetCredentials(ctx, s, req.GetCredentialsRequest)
	if err != nil {
		return err
	}
	var merge *install.KubeconfigMerge
	if req.File != "-" {
		path := req.File
		if path == "" {
			path = install.KubeconfigPath(c.Getenv)
		}
		merge, err = install.PlanMerge(path, creds.Data, req.OverwriteExisting)
		var conflict *install.ConflictError
		if errors.As(err, &conflict) {
			return WithHint(err, "pass --overwrite-existing to replace it, or --context NAME to add the cluster under another name")
		}
		if err != nil {
			return err
		}
	}
	// Bind before writing: a kubeconfig whose cluster would get the wrong context is worse
	// than a binding for a kubeconfig that failed to write.
	if len(creds.Static) == 0 {
		c.bindCluster(e, s, creds.Servers)
	}
	if merge == nil {
		c.warnStatic(creds.Static, "it")
		_, err := c.Stdout.Write(creds.Data)
		return err
	}
	if err := merge.Write(); err != nil {
		return err
	}
	c.notef("merged %q as current context in %s", creds.Context, merge.Path)
	c.warnStatic(creds.Static, merge.Path)
	return nil
}

// warnStatic says that a kubeconfig holds AKS's static credentials, which azcred cannot
// refresh or revoke: an admin certificate, or a cluster without Entra ID.
func (c *Call) warnStatic(users []string, where string) {
	if len(users) > 0 {
		c.notef("warning: user %s holds a static credential from AKS (client certificate or token), not an Entra ID sign-in; keep %s private", strings.Join(users, ", "), where)
	}
}

// openARM loads the profile and resolves the context and subscription for a Resource
// Manager call.
func (c *Call) openARM(ctx context.Context, azContext, subscription string) (*Engine, *ARMSession, error) {
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

// bindCluster binds the cluster's servers to the context used when kubectl would not
// pick it otherwise, and says so. A binding that cannot be saved is a warning: the
// kubeconfig is still right, and the fix is one command.
func (c *Call) bindCluster(e *Engine, s *ARMSession, servers []string) {
	l, err := e.Profile.Load()
	if err != nil {
		c.notef("warning: %v", err)
		return
	}
	name := s.Resolved.Context.Name
	for _, server := range servers {
		target, err := e.BindCluster(l, s, server)
		switch {
		case errors.Is(err, store.ErrNotSaved):
			c.notef("autosave is off: %s is not bound to context %q; kubectl will use the default context unless you run 'azcred bind %s %s'", server, name, server, quoteArg(name))
		case err != nil:
			c.notef("warning: could not bind %s to context %q: %v", server, name, err)
		case target != "":
			c.notef("bound %s to context %q, so kubectl gets its tokens from it (azcred bind list)", target, name)
		}
	}
}
