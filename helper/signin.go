package helper

// The CLI's sign-in flows: a fresh login (the CLI turns its flags into a
// LoginRequest) and signing a saved context in again, which rebuilds the
// request from what the context and the vault remember.

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/azcred/azcred/store"
)

// Login signs in as req says and saves the context into req.Target.
func (c *Call) Login(ctx context.Context, req LoginRequest) (*store.Context, error) {
	_, l, err := c.Load()
	if err != nil {
		return nil, err
	}
	e, err := c.Engine()
	if err != nil {
		return nil, err
	}
	return e.Login(ctx, l, req)
}

// Again holds the login flags that still count when a saved context is
// signed in again.
type Again struct {
	Browser            bool
	SecretStdin        bool
	FederatedTokenFile string
}

// AgainRequest completes req for signing the saved context name in again:
// its account, tenant, subscription and environment (where req leaves
// them empty) and, for a service principal, the saved credential unless
// a new secret comes on stdin. It returns the store holding the context.
func (c *Call) AgainRequest(name string, req LoginRequest, o Again) (LoginRequest, *store.Store, error) {
	p, l, err := c.Load()
	if err != nil {
		return req, nil, err
	}
	ctx, s, ok := p.Find(l, name)
	if !ok {
		return req, nil, UnknownContext(name)
	}
	req.Name = cmp.Or(req.Name, ctx.Name)
	req.Tenant = cmp.Or(req.Tenant, ctx.Tenant)
	req.Subscription = cmp.Or(req.Subscription, ctx.Subscription.ID)
	req.EnvName = cmp.Or(req.EnvName, ctx.Environment)
	acct := ctx.Account
	switch acct.Type {
	case store.AccountUser:
		req.Kind, req.ClientID = LoginDeviceCode, cmp.Or(req.ClientID, acct.ClientID)
		if o.Browser {
			req.Kind = LoginBrowser
		}
	case store.AccountManagedIdentity:
		req.Kind, req.ClientID = LoginIdentity, acct.ClientID
	case store.AccountServicePrincipal:
		req.ClientID = acct.ID
		sec, err := s.Secrets()
		if err != nil {
			return req, nil, err
		}
		cred := sec.Credentials[store.CredentialKey(ctx.AccountKey())]
		switch {
		case o.SecretStdin:
			req.Kind = LoginSecret
			if req.Secret, err = ReadSecret(c.Stdin); err != nil {
				return req, nil, err
			}
		case acct.Credential == store.CredentialFederated:
			req.Kind, req.FederatedTokenFile = LoginFederated, cmp.Or(o.FederatedTokenFile, acct.FederatedTokenFile)
		case cred.Secret != "":
			req.Kind, req.Secret = LoginSecret, cred.Secret
		case cred.CertificatePEM != "":
			req.Kind, req.CertificatePEM = LoginCert, []byte(cred.CertificatePEM)
		default:
			return req, nil, WithHint(fmt.Errorf("no credential is saved for %s", acct.ID), "%s", Cmd("login", "--context", name, "--secret-stdin"))
		}
	default:
		return req, nil, fmt.Errorf("context %q has an account of unknown type %q", ctx.Name, acct.Type)
	}
	return req, s, nil
}

// ReadSecret reads one line (a service principal's secret) from r,
// trimming the newline.
func ReadSecret(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 64<<10)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("cannot read the secret from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", WithHint(errors.New("no secret on stdin"), "printf '%%s' \"$SECRET\" | azcred login --service-principal ... --secret-stdin")
	}
	return line, nil
}
