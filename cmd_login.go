package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
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
			s, err := readSecretLine(a.stdin)
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
	p, s, err := a.targetStore(c.scopeFlag)
	if err != nil {
		return err
	}
	return c.finish(a, p, s, req)
}

// finish runs the sign-in and saves the context into s.
func (c *LoginCmd) finish(a *app, p *helper.Profile, s *store.Store, req helper.LoginRequest) error {
	l, err := p.Load()
	if err != nil {
		return err
	}
	e, err := a.engine(p)
	if err != nil {
		return err
	}
	req.Target = s
	ctx, err := e.Login(context.Background(), l, req)
	if errors.Is(err, store.ErrNotSaved) {
		a.notef("signed in, but autosave is off: the context was not saved")
		return nil
	}
	if err != nil {
		return err
	}
	a.saved(s, fmt.Sprintf("signed in as %s; context %q is now the default", ctx.Account.ID, ctx.Name))
	if c.process() {
		a.exports(c.shellName(a.getenv), [2]string{"AZCRED_CONTEXT", ctx.Name})
	}
	return nil
}

// again signs a saved context in again (the fix azcred's hints name when
// a refresh needs the user).
func (c *LoginCmd) again(a *app, req helper.LoginRequest) error {
	p, l, err := a.load()
	if err != nil {
		return err
	}
	ctx, s, ok := p.Find(l, c.Context)
	if !ok {
		return unknownContext(c.Context)
	}
	req.Name = firstNonEmpty(req.Name, ctx.Name)
	req.Tenant = firstNonEmpty(req.Tenant, ctx.Tenant)
	req.Subscription = firstNonEmpty(req.Subscription, ctx.Subscription.ID)
	req.EnvName = firstNonEmpty(req.EnvName, ctx.Environment)
	acct := ctx.Account
	switch acct.Type {
	case store.AccountUser:
		req.Kind, req.ClientID = helper.LoginDeviceCode, firstNonEmpty(req.ClientID, acct.ClientID)
		if c.Browser {
			req.Kind = helper.LoginBrowser
		}
	case store.AccountManagedIdentity:
		req.Kind, req.ClientID = helper.LoginIdentity, acct.ClientID
	case store.AccountServicePrincipal:
		req.ClientID = acct.ID
		sec, err := s.Secrets()
		if err != nil {
			return err
		}
		cred := sec.Credentials[ctx.AccountKey()]
		switch {
		case c.SecretStdin:
			req.Kind = helper.LoginSecret
			if req.Secret, err = readSecretLine(a.stdin); err != nil {
				return err
			}
		case acct.Credential == store.CredentialFederated:
			req.Kind, req.FederatedTokenFile = helper.LoginFederated, firstNonEmpty(c.FederatedTokenFile, acct.FederatedTokenFile)
		case cred.Secret != "":
			req.Kind, req.Secret = helper.LoginSecret, cred.Secret
		case cred.CertificatePEM != "":
			req.Kind, req.CertificatePEM = helper.LoginCert, []byte(cred.CertificatePEM)
		default:
			return helper.WithHint(fmt.Errorf("no credential is saved for %s", acct.ID), "azcred login --context %s --secret-stdin", c.Context)
		}
	default:
		return fmt.Errorf("context %q has an account of unknown type %q", ctx.Name, acct.Type)
	}
	if c.process() {
		_, s, err = a.targetStore(c.scopeFlag)
		if err != nil {
			return err
		}
	}
	return c.finish(a, p, s, req)
}

// readSecretLine reads one line from stdin, trimming the newline.
func readSecretLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 64<<10)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("cannot read the secret from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", helper.WithHint(errors.New("no secret on stdin"), "printf '%%s' \"$SECRET\" | azcred login --service-principal ... --secret-stdin")
	}
	return line, nil
}

func (a *app) engine(p *helper.Profile) (*helper.Engine, error) {
	return helper.NewEngine(p, a.getenv, a.debugf)
}

// LogoutCmd signs out (Disconnect-AzAccount).
type LogoutCmd struct {
	Account string `help:"Sign this account out (all its contexts)." xor:"what"`
	Context string `help:"Sign out the account of this context." xor:"what" predictor:"context"`
	All     bool   `help:"Sign every account out." xor:"what"`
}

func (c *LogoutCmd) Run(a *app) error {
	p, l, err := a.load()
	if err != nil {
		return err
	}
	if p.Session != nil && c.Account == "" && c.Context == "" && !c.All {
		if err := p.Session.RemoveAll(); err != nil {
			return err
		}
		a.notef("signed out: removed the session store %s", p.Session.Dir())
		a.exports(scopeFlag{}.shellName(a.getenv), [2]string{"AZCRED_SESSION", ""})
		return nil
	}
	s := p.User
	var accountKey string
	switch {
	case c.All:
		if err := s.Clear(); err != nil {
			return err
		}
		s.DropCachedKeys()
		a.saved(s, "signed out every account")
		return nil
	case c.Account != "":
		for _, ctx := range l.User.Contexts {
			if strings.EqualFold(ctx.Account.ID, c.Account) {
				accountKey = ctx.AccountKey()
			}
		}
		if accountKey == "" {
			return helper.WithHint(fmt.Errorf("no saved context uses account %q", c.Account), "run 'azcred context list'")
		}
	default:
		name := c.Context
		if name == "" {
			if name = a.activeName(l); name == "" {
				return helper.WithHint(errors.New("no active context to sign out"), "use --context NAME, --account A or --all")
			}
		}
		ctx, cs, ok := p.Find(l, name)
		if !ok {
			return unknownContext(name)
		}
		s, accountKey = cs, ctx.AccountKey()
	}
	var removed []string
	err = s.UpdateAll(func(cfg *store.Config, sec *store.Secrets) error {
		for _, n := range cfg.ContextNames() {
			if cfg.Contexts[n].AccountKey() == accountKey {
				removed = append(removed, n)
				cfg.RemoveContext(n)
			}
		}
		sec.DropAccount(accountKey)
		delete(sec.MSAL, accountKey)
		return nil
	}, true)
	if err != nil {
		return err
	}
	s.DropCachedKeys() // signing out also locks: the next call asks the keyring
	a.saved(s, fmt.Sprintf("signed out; removed %d context(s): %s", len(removed), strings.Join(removed, ", ")))
	return nil
}
