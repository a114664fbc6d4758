package main

import "github.com/azcred/azcred/helper"

// KubeCmd is `azcred kube`, run by kubectl; the flow is in helper/kube.go.
type KubeCmd struct {
	ServerID string `name:"server-id" help:"The cluster's Entra server application id (default: AKS's 6dae42f8-4368-4678-94ff-3960e28e3630)."`
	Context  string `help:"Context to use." predictor:"context"`
	Tenant   string `help:"Tenant to get the token from."`
}

func (c *KubeCmd) Run(a *app) error {
	return a.call.Kube(ctxBackground(), helper.KubeRequest{ServerID: c.ServerID, Context: c.Context, Tenant: c.Tenant})
}
