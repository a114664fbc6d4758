package main

// The kubectl exec credential plugin
// (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins):
// it reads KUBERNETES_EXEC_INFO, answers an ExecCredential in the request's
// apiVersion on stdout, and on failure writes the reason and the fix to
// stderr and exits 1. It never prompts, so interactive=false is always
// honoured.

import (
	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/protocols"
	"github.com/azcred/azcred/store"
)

// KubeCmd is `azcred kube`, run by kubectl.
type KubeCmd struct {
	ServerID string `name:"server-id" help:"The cluster's Entra server application id (default: AKS's 6dae42f8-4368-4678-94ff-3960e28e3630)."`
	Context  string `help:"Context to use." predictor:"context"`
	Tenant   string `help:"Tenant to get the token from."`
}

func (c *KubeCmd) Run(a *app) error {
	info, err := protocols.ParseExecInfo(a.getenv("KUBERNETES_EXEC_INFO"))
	if err != nil {
		return helper.WithHint(err, "azcred kube is run by kubectl; check the exec block in your kubeconfig")
	}
	target := ""
	if info.Spec.Cluster != nil {
		target = info.Spec.Cluster.Server
	}
	scope := ""
	if c.ServerID != "" {
		scope = helper.ScopeFor(c.ServerID)
	}
	_, tok, err := a.token(helper.Request{Target: target, Context: c.Context, Scope: scope, Tenant: c.Tenant,
		DefaultScope: func(*store.Environment) string { return helper.ScopeFor(helper.AKSServerID) }})
	if err != nil {
		return err
	}
	return protocols.WriteExecCredential(a.stdout, info.APIVersion, tok.AccessToken, tok.ExpiresOn)
}
