package main

import "github.com/azcred/azcred/helper"

// DockerCmd is `azcred docker ACTION` (docker runs docker-credential-azcred
// ACTION); the flow and its failure shape are in helper/docker.go.
type DockerCmd struct {
	Context string   `help:"Context to use." predictor:"context"`
	Action  string   `arg:"" optional:"" help:"get, store, erase, list or version."`
	Rest    []string `arg:"" optional:"" hidden:""`
}

func (c *DockerCmd) Run(a *app) error {
	return a.call.Docker(ctxBackground(), helper.DockerRequest{Action: c.Action, Context: c.Context, Version: buildVersion().Version})
}
