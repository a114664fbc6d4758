package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/install"
	"github.com/azcred/azcred/store"
)

// AksCmd is `azcred aks`: AKS clusters and their kubeconfigs, without az.
type AksCmd struct {
	List           AksListCmd           `cmd:"" help:"List AKS clusters (az aks list)."`
	GetCredentials AksGetCredentialsCmd `cmd:"" name:"get-credentials" help:"Merge a cluster's kubeconfig, with azcred as its credential plugin (az aks get-credentials + kubelogin convert-kubeconfig)."`
}

// AksListCmd is `azcred aks list`.
type AksListCmd struct {
	Subscription     string `help:"Subscription id or name (default: the context's)." xor:"subs"`
	AllSubscriptions bool   `help:"Every enabled subscription in every tenant the context's account belongs to." xor:"subs"`
	AzcredContext    string `name:"azcred-context" help:"Saved context to use (default: resolution order)." predictor:"context"`
	outputFlag
}

func (c *AksListCmd) Run(a *app) error {
	e, s, err := a.openARM(c.AzcredContext, c.Subscription)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.Timeout)
	defer cancel()
	clusters, skipped, err := e.ListClusters(ctx, s, c.AllSubscriptions)
	if err != nil {
		return err
	}
	for _, why := range skipped {
		a.notef("warning: skipped %s", why)
	}
	if c.Output == "json" {
		if clusters == nil {
			clusters = []helper.ManagedCluster{}
		}
		return writeJSON(a, clusters)
	}
	if len(clusters) == 0 {
		where := "subscription " + s.Subscription
		if c.AllSubscriptions {
			where = "any subscription"
		}
		a.notef("no AKS cluster in %s (context %q)", where, s.Resolved.Context.Name)
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tRESOURCE GROUP\tLOCATION\tVERSION\tFQDN\tENTRA\tLOCAL ACCOUNTS")
	for _, k := range clusters {
		local := "enabled"
		if k.LocalAccountsDisabled {
			local = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.Name, k.ResourceGroup, k.Location, k.KubernetesVersion, k.FQDN, k.Entra, local)
	}
	return tw.Flush()
}

// AksGetCredentialsCmd is `azcred aks get-credentials`, with az's flags.
type AksGetCredentialsCmd struct {
	ResourceGroup     string `short:"g" required:"" help:"Resource group of the cluster."`
	Name              string `short:"n" required:"" help:"Name of the cluster."`
	Subscription      string `help:"Subscription id or name (default: the context's; a saved context for it is used)."`
	File              string `short:"f" help:"Kubeconfig to merge into; - prints to stdout (default: $KUBECONFIG's first file or ~/.kube/config)."`
	Context           string `help:"Name of the kube context (and cluster) to write (default: the cluster's name)."`
	OverwriteExisting bool   `help:"Replace entries of the same name that differ."`
	Admin             bool   `short:"a" help:"Get the cluster admin's static credentials (refused when local accounts are disabled)."`
	PublicFQDN        bool   `name:"public-fqdn" help:"Use the public API server address of a private cluster."`
	AzcredContext     string `name:"azcred-context" help:"Saved context to use (default: resolution order); bound to the cluster when it is not the default." predictor:"context"`
}

func (c *AksGetCredentialsCmd) Run(a *app) error {
	e, s, err := a.openARM(c.AzcredContext, c.Subscription)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.Timeout)
	defer cancel()
	creds, err := e.GetCredentials(ctx, s, helper.GetCredentialsRequest{ResourceGroup: c.ResourceGroup, Name: c.Name,
		Admin: c.Admin, PublicFQDN: c.PublicFQDN, ContextName: c.Context, Command: install.ExecCommand()})
	if err != nil {
		return err
	}
	var merge *install.KubeconfigMerge
	if c.File != "-" {
		path := c.File
		if path == "" {
			path = install.KubeconfigPath(a.getenv)
		}
		merge, err = install.PlanMerge(path, creds.Data, c.OverwriteExisting)
		var conflict *install.ConflictError
		if errors.As(err, &conflict) {
			return helper.WithHint(err, "pass --overwrite-existing to replace it, or --context NAME to add the cluster under another name")
		}
		if err != nil {
			return err
		}
	}
	// Bind before writing: a kubeconfig whose cluster would get the wrong context is worse
	// than a binding for a kubeconfig that failed to write.
	if len(creds.Static) == 0 {
		a.bindCluster(e, s, creds.Servers)
	}
	if merge == nil {
		a.warnStatic(creds.Static, "it")
		_, err := a.stdout.Write(creds.Data)
		return err
	}
	if err := merge.Write(); err != nil {
		return err
	}
	a.notef("merged %q as current context in %s", creds.Context, merge.Path)
	a.warnStatic(creds.Static, merge.Path)
	return nil
}

// warnStatic says that a kubeconfig holds AKS's static credentials, which azcred cannot
// refresh or revoke: an admin certificate, or a cluster without Entra ID.
func (a *app) warnStatic(users []string, where string) {
	if len(users) > 0 {
		a.notef("warning: user %s holds a static credential from AKS (client certificate or token), not an Entra ID sign-in; keep %s private", strings.Join(users, ", "), where)
	}
}

// openARM loads the profile and resolves the context and subscription for a Resource
// Manager call.
func (a *app) openARM(azContext, subscription string) (*helper.Engine, *helper.ARMSession, error) {
	_, l, err := a.call.Load()
	if err != nil {
		return nil, nil, err
	}
	e, err := a.call.Engine()
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.Timeout)
	defer cancel()
	s, err := e.OpenARM(ctx, l, azContext, subscription)
	return e, s, err
}

// bindCluster binds the cluster's servers to the context used when kubectl would not
// pick it otherwise, and says so. A binding that cannot be saved is a warning: the
// kubeconfig is still right, and the fix is one command.
func (a *app) bindCluster(e *helper.Engine, s *helper.ARMSession, servers []string) {
	l, err := e.Profile.Load()
	if err != nil {
		a.notef("warning: %v", err)
		return
	}
	name := s.Resolved.Context.Name
	for _, server := range servers {
		target, err := e.BindCluster(l, s, server)
		switch {
		case errors.Is(err, store.ErrNotSaved):
			a.notef("autosave is off: %s is not bound to context %q; kubectl will use the default context unless you run 'azcred bind %s %q'", server, name, server, name)
		case err != nil:
			a.notef("warning: could not bind %s to context %q: %v", server, name, err)
		case target != "":
			a.notef("bound %s to context %q, so kubectl gets its tokens from it (azcred bind list)", target, name)
		}
	}
}
