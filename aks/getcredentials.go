// Package aks is `azcred aks get-credentials`: helper's Resource Manager
// calls fetch the kubeconfig AKS hands out, install converts it to
// azcred's exec plugin and merges it into the user's kubeconfig, and a
// binding is saved when the context used would not be kubectl's pick.
// It lives apart from helper so that helper, which serves every hook
// request, does not link the YAML library (issue 19). Notes and warnings
// go to stderr; only `--file -` writes to stdout (the kubeconfig).
package aks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/install"
)

// Request is `azcred aks get-credentials`'s flags.
type Request struct {
	ResourceGroup, Name string
	Admin, PublicFQDN   bool
	// ContextName is az's --context: the kube context's name.
	ContextName                 string
	AzcredContext, Subscription string
	// File is the kubeconfig to merge into; "-" prints to stdout; "" is
	// $KUBECONFIG's first file or ~/.kube/config.
	File              string
	OverwriteExisting bool
}

// GetCredentials fetches a cluster's kubeconfig and merges it (or prints
// it). Any failure leaves the kubeconfig byte-identical.
func GetCredentials(ctx context.Context, c *helper.Call, req Request) error {
	e, s, err := c.ARM(ctx, req.AzcredContext, req.Subscription)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	cluster := helper.ClusterRef{Subscription: s.Subscription, ResourceGroup: req.ResourceGroup, Name: req.Name}
	raw, err := e.ClusterKubeconfig(ctx, s.Resolved.Env, s.Token, cluster, req.Admin, req.PublicFQDN)
	if err != nil {
		return err
	}
	kc, err := install.PrepareAKSKubeconfig(raw, install.AKSOptions{ContextName: req.ContextName, Command: install.ExecCommand()})
	if err != nil {
		return fmt.Errorf("the kubeconfig AKS returned for %s: %w", cluster, err)
	}
	var merge *install.KubeconfigMerge
	if req.File != "-" {
		path := req.File
		if path == "" {
			path = install.KubeconfigPath(c.Getenv)
		}
		merge, err = install.PlanMerge(path, kc.Data, req.OverwriteExisting)
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
	if len(kc.Static) == 0 {
		c.BindCluster(e, s, kc.Servers)
	}
	if merge == nil {
		warnStatic(c, kc.Static, "it")
		_, err := c.Stdout.Write(kc.Data)
		return err
	}
	if err := merge.Write(); err != nil {
		return err
	}
	c.Notef("merged %q as current context in %s", kc.Context, merge.Path)
	warnStatic(c, kc.Static, merge.Path)
	return nil
}

// warnStatic says that a kubeconfig holds AKS's static credentials, which azcred cannot
// refresh or revoke: an admin certificate, or a cluster without Entra ID.
func warnStatic(c *helper.Call, users []string, where string) {
	if len(users) > 0 {
		c.Notef("warning: user %s holds a static credential from AKS (client certificate or token), not an Entra ID sign-in; keep %s private", strings.Join(users, ", "), where)
	}
}
