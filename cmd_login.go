package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/store"
)

// LoginCmd signs in (Connect-AzAccount).
type LoginCmd struct {
	Name         string `help:"Name of the context (default: Az's '{SubName} ({SubId}) - {TenantId} - {AccountId}')."`
	Tenant       string `help:"Tenant id or domain."`
	Subscription string `help:"Subscription id or name (default: the first enabled one by name)."`
	Environment  string `help:"Azure environment (cloud); default AzureCloud." predictor:"environment"`
	Context      string `help:"Sign a saved context in again: its account, tenant, subscription and environment are reused." predictor:"context"`
	DeviceCode   bool   `help:"Sign in a user with a device code (the default for users)." xor:"how"`
	Browser      bool   `help:"Sign in a user in a browser (auth code + PKCE on a localhost redirect)." xor:"how"`

	ServicePrincipal   bool   `help:"Sign in as a service principal." xor:"who"`
	ClientID           string `help:"Service principal or user-assigned identity client id."`
	SecretStdin        bool   `help:"Read the service principal's secret from stdin (one line)."`
	Certificate        string `help:"PEM file with the service principal's certificate and private key." type:"path"`
	FederatedTokenFile string `help:"File with a federated (workload identity) token, re-read on every refresh." type:"path"`
	ManagedIdentity    bool   `help:"Sign in with the managed identity of this machine." xor:"who" aliases:"identity"`

	Secret   string `hidden:"" help:"Refused: secrets on the command line leak."`
	Password string `hidden:"" short:"p" help:"Refused: secrets on the command line leak."`
	scopeFlag
}

func (c *LoginCmd) Run(a *app) error {
	if c.Secret != "" || c.Password != "" {
		return helper.WithHint(errors.New("a secret on the command line ends up in shell history and process lists; it was not used"),
			"pass it on stdin: printf '%%s' \"$SECRET\" | azcred login --service-principal --tenant T --client-id ID --secret-stdin")
	}
	req := helper.LoginRequest{Name: c.Name, Tenant: c.Tenant, Subscription: c.Subscription, EnvName: c.Environment,
		ClientID: c.ClientID, Prompt: a.stderr}
	if c.Context != "" {
		return c.again(a, req)
	}
	switch {
	case c.ManagedIdentity:
		req.Kind = helper.LoginIdentity
	case c.ServicePrincipal:
		n := 0
		for _, b := range []bool{c.SecretStdin, c.Certificate != "", c.FederatedTokenFile != ""} {
			if b {
				n++
			}
		}
		if n != 1 {
			return helper.WithHint(errors.New("a service principal needs exactly one of --secret-stdin, --certificate, --federated-token-file"),
				"printf '%%s' \"$SECRET\" | azcred login --service-principal --tenant T --client-id ID --secret-stdin")
		}
		switch {
		case c.SecretStdin:
			req.Kind = helper.LoginSecret
			s, err := helper.ReadSecret(a.stdin)
			if err != nil {
				return err
			}
			req.Secret = s
		case c.Certificate != "":
			req.Kind = helper.LoginCert
			abs, _ := filepath.Abs(c.Certificate)
			b, err := store.ReadFileLimited(abs)
			if err != nil {
				return helper.WithHint(fmt.Errorf("cannot read the certificate %s: %v", abs, errors.Unwrap(err)), "pass a PEM file with the certificate and its unencrypted private key")
			}
			req.CertificatePEM = b
		default:
			req.Kind = helper.LoginFederated
			abs, _ := filepath.Abs(c.FederatedTokenFile)
			req.FederatedTokenFile = abs
		}
	case c.Browser:
		req.Kind = helper.LoginBrowser
	default:
		req.Kind = helper.LoginDeviceCode
	}
	if !c.ServicePrincipal && (c.SecretStdin || c.Certificate != "" || c.FederatedTokenFile != "") {
		return helper.WithHint(errors.New("--secret-stdin, --certificate and --federated-token-file are for service principals"), "add --service-principal")
	}
	_, s, fresh, err := a.openTarget(c.scopeFlag)
	if err != nil {
		return err
	}
	return c.finish(a, s, fresh, req)
}

// finish runs the sign-in and saves the context into s. A fresh session
// store is exported only once the sign-in worked; a failed one leaves no
// directory and prints no shell code.
func (c *LoginCmd) finish(a *app, s *store.Store, fresh bool, req helper.LoginRequest) error {
	req.Target = s
	ctx, err := a.call.Login(ctxBackground(), req)
	if err != nil && fresh {
		if rerr := s.RemoveAll(); rerr != nil {
			a.debugf("removing the session store: %v", rerr)
		}
	}
	if errors.Is(err, store.ErrNotSaved) {
		a.notef("signed in, but autosave is off: the context was not saved")
		return nil
	}
	if err != nil {
		return err
	}
	a.saved(s, fmt.Sprintf("signed in as %s; context %q is now the default", ctx.Account.ID, ctx.Name))
	if fresh {
		a.exports(c.shellName(a.getenv), [2]string{"AZCRED_SESSION", s.Dir()})
	}
	if c.process() {
		a.exports(c.shellName(a.getenv), [2]string{"AZCRED_CONTEXT", ctx.Name})
	}
	return nil
}

// again signs a saved context in again (the fix azcred's hints name when
// a refresh needs the user).
func (c *LoginCmd) again(a *app, req helper.LoginRequest) error {
	req, s, err := a.call.AgainRequest(c.Context, req, helper.Again{Browser: c.Browser, SecretStdin: c.SecretStdin, FederatedTokenFile: c.FederatedTokenFile})
	if err != nil {
		return err
	}
	fresh := false
	if c.process() {
		_, s, fresh, err = a.openTarget(c.scopeFlag)
		if err != nil {
			return err
		}
	}
	return c.finish(a, s, fresh, req)
}

// LogoutCmd signs out (Disconnect-AzAccount).
type LogoutCmd struct {
	Account string `help:"Sign this account out (all its contexts)." xor:"what"`
	Context string `help:"Sign out the account of this context." xor:"what" predictor:"context"`
	All     bool   `help:"Sign every account out." xor:"what"`
}

func (c *LogoutCmd) Run(a *app) error {
	out, err := a.call.Logout(helper.LogoutRequest{Account: c.Account, Context: c.Context, All: c.All})
	if err != nil {
		return err
	}
	switch {
	case out.Session != "":
		a.notef("signed out: removed the session store %s", out.Session)
		a.exports(scopeFlag{}.shellName(a.getenv), [2]string{"AZCRED_SESSION", ""})
	case c.All:
		a.saved(out.Store, "signed out every account")
	default:
		a.saved(out.Store, fmt.Sprintf("signed out; removed %d context(s): %s", len(out.Removed), strings.Join(out.Removed, ", ")))
	}
	return nil
}
