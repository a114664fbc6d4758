package helper

// The kubectl exec credential plugin's flow
// (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins):
// it reads KUBERNETES_EXEC_INFO and answers an ExecCredential in the
// request's apiVersion on stdout. Its failure shape is the CLI's own: the
// returned error goes to stderr with its hint, exit 1. It never prompts,
// so interactive=false is always honoured.

import (
	"context"

	"github.com/azcred/azcred/protocols"
	"github.com/azcred/azcred/store"
)

// KubeRequest is the plugin's command line in the kubeconfig's exec block.
type KubeRequest struct {
	// ServerID is the cluster's Entra server application id ("" for AKS's).
	ServerID string
	Context  string
	Tenant   string
}

// Kube answers one kubectl request.
func (c *Call) Kube(ctx context.Context, req KubeRequest) error {
	info, err := protocols.ParseExecInfo(c.Getenv("KUBERNETES_EXEC_INFO"))
	if err != nil {
		return WithHint(err, "azcred kube is run by kubectl; check the exec block in your kubeconfig")
	}
	target := ""
	if info.Spec.Cluster != nil {
		target = info.Spec.Cluster.Server
	}
	scope := ""
	if req.ServerID != "" {
		scope = ScopeFor(req.ServerID)
	}
	_, tok, err := c.Token(ctx, Request{Target: target, Context: req.Context, Scope: scope, Tenant: req.Tenant,
		DefaultScope: func(*store.Environment) string { return ScopeFor(AKSServerID) }})
	if err != nil {
		return err
	}
	return protocols.WriteExecCredential(c.Stdout, info.APIVersion, tok.AccessToken, tok.ExpiresOn)
}
