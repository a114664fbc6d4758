package main

import "errors"

// Commands whose implementation is still being written. Each returns a
// plain error so nobody mistakes a stub for a feature.
var errNotYet = errors.New("not implemented yet")

type LoginCmd struct{}

func (c *LoginCmd) Run(a *app) error { return errNotYet }

type LogoutCmd struct{}

func (c *LogoutCmd) Run(a *app) error { return errNotYet }

type SubscriptionCmd struct{}

func (c *SubscriptionCmd) Run(a *app) error { return errNotYet }

type TokenCmd struct{}

func (c *TokenCmd) Run(a *app) error { return errNotYet }

type GitCmd struct {
	Args []string `arg:"" optional:""`
}

func (c *GitCmd) Run(a *app) error { return errNotYet }

type KubeCmd struct{}

func (c *KubeCmd) Run(a *app) error { return errNotYet }

type DockerCmd struct {
	Args []string `arg:"" optional:""`
}

func (c *DockerCmd) Run(a *app) error { return errNotYet }

type InstallCmd struct{}

func (c *InstallCmd) Run(a *app) error { return errNotYet }

type DoctorCmd struct{}

func (c *DoctorCmd) Run(a *app) error { return errNotYet }

type CompletionCmd struct{}

func (c *CompletionCmd) Run(a *app) error { return errNotYet }

type ContextSetCmd struct{}

func (c *ContextSetCmd) Run(a *app) error { return errNotYet }
