package main

import (
	"errors"

	"github.com/azcred/azcred/helper"
)

// CargoCmd is cargo's credential provider. cargo runs `azcred
// --cargo-plugin` (dispatch turns that into `azcred cargo --cargo-plugin`)
// and sends the arguments of its credential-provider setting inside each
// request; the flow and its failure shape are in helper/cargo.go.
type CargoCmd struct {
	Context     string `help:"Context to use (cargo passes it from credential-provider = \"azcred cargo --context NAME\")." predictor:"context"`
	CargoPlugin bool   `name:"cargo-plugin" help:"Speak cargo's credential provider protocol on stdin/stdout (cargo adds this)."`
}

func (c *CargoCmd) Run(a *app) error {
	if !c.CargoPlugin {
		return helper.WithHint(errors.New("azcred cargo is cargo's credential provider and speaks only to cargo"),
			"run 'azcred install cargo' to configure cargo, or add --cargo-plugin to speak the protocol by hand")
	}
	return a.call.Cargo(ctxBackground(), c.Context)
}
