package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/azcred/azcred/aks"
	"github.com/azcred/azcred/helper"
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
	clusters, where, err := a.call.AksList(ctxBackground(), helper.AksListRequest{AzcredContext: c.AzcredContext,
		Subscription: c.Subscription, AllSubscriptions: c.AllSubscriptions})
	if err != nil {
		return err
	}
	if c.Output == "json" {
		if clusters == nil {
			clusters = []helper.ManagedCluster{}
		}
		return writeJSON(a, clusters)
	}
	if len(clusters) == 0 {
		a.notef("no AKS cluster in %s", where)
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
	return aks.GetCredentials(ctxBackground(), a.call, aks.Request{ResourceGroup: c.ResourceGroup, Name: c.Name,
		Admin: c.Admin, PublicFQDN: c.PublicFQDN, ContextName: c.Context,
		AzcredContext: c.AzcredContext, Subscription: c.Subscription, File: c.File, OverwriteExisting: c.OverwriteExisting})
}
