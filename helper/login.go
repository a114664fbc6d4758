package helper

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/azcred/azcred/store"
)

// Sign-in kinds (Connect-AzAccount's parameter sets).
const (
	LoginDeviceCode = "device-code"
	LoginBrowser    = "browser"
	LoginSecret     = "secret"
	LoginCert       = "certificate"
	LoginFederated  = "federated"
	LoginIdentity   = "managed-identity"
)

// LoginRequest is everything `azcred login` was told.
type LoginRequest struct {
	Kind                                string
	Name, Tenant, Subscription, EnvName string
	// ClientID is the service principal, the user-assigned identity, or a
	// public client other than the Azure CLI's for users.
	ClientID           string
	Secret             string
	CertificatePEM     []byte
	FederatedTokenFile string
	// Target is the store the context goes to (user or session).
	Target *store.Store
	// Prompt receives the device-code message and the browser URL.
	Prompt io.Writer
	// Browser opens a URL (default: $BROWSER, else the OS opener).
	Browser func(url string) error
}

// Login signs in, creates or updates the context and makes it the
// default, like Connect-AzAccount. It returns the saved context.
func (e *Engine) Login(ctx context.Context, l *Loaded, req LoginRequest) (*store.Context, error) {
	env, err := l.Environment(req.EnvName)
	if err != nil {
		return nil, WithHint(err, "run 'azcred environment list' to see the environments")
	}
	c := &store.Context{Environment: env.Name}
	armScope := ScopeFor(env.ManagementResource)
	cache := &MSALCache{}
	var cred store.Credential
	var tok *Token

	switch req.Kind {
	case LoginDeviceCode, LoginBrowser:
		res, err := e.userSignIn(ctx, env, req, cache, armScope)
		if err != nil {
			return nil, err
		}
		c.Account = store.Account{ID: res.Account.PreferredUsername, Type: store.AccountUser, HomeAccountID: res.Account.HomeAccountID, ClientID: req.ClientID}
		if c.Account.ID == "" {
			c.Account.ID = res.Account.HomeAccountID
		}
		c.Tenant = cmp.Or(res.IDToken.TenantID, req.Tenant)
		if cl, err := peekClaims(res.AccessToken); err == nil && cl.Tenant != "" {
			c.Tenant = cl.Tenant
		}
		tok = &Token{AccessToken: res.AccessToken, ExpiresOn: res.ExpiresOn, Tenant: c.Tenant, Scope: armScope}
	case LoginSecret, LoginCert, LoginFederated:
		if req.Tenant == "" || req.ClientID == "" {
			return nil, WithHint(errors.New("a service principal sign-in needs --tenant and --client-id"), "azcred login --service-principal --tenant TENANT --client-id ID --secret-stdin")
		}
		c.Account = store.Account{ID: req.ClientID, Type: store.AccountServicePrincipal, Credential: req.Kind}
		c.Tenant = req.Tenant
		r := &Resolved{Context: c, Env: env, Scope: armScope, Tenant: req.Tenant}
		sec := &store.Secrets{Credentials: map[string]store.Credential{}}
		switch req.Kind {
		case LoginSecret:
			cred.Secret = req.Secret
			c.Account.Credential = store.CredentialSecret
		case LoginCert:
			cred.CertificatePEM = string(req.CertificatePEM)
			c.Account.Credential = store.CredentialCertificate
		case LoginFederated:
			c.Account.FederatedTokenFile = req.FederatedTokenFile
			c.Account.Credential = store.CredentialFederated
			if _, err := readFederatedToken(ctx, req.FederatedTokenFile); err != nil {
				return nil, err
			}
		}
		sec.Credentials[store.CredentialKey(c.AccountKey())] = cred
		mcred, err := spCredential(r, sec)
		if err != nil {
			return nil, err
		}
		tctx, cancel := context.WithTimeout(ctx, e.Timeout)
		defer cancel()
		tok, err = (&spSource{e: e, env: env, clientID: req.ClientID, cred: mcred}).Acquire(tctx, armScope, req.Tenant)
		if err != nil {
			return nil, e.explainLogin(outOfTime(tctx, err), env, "")
		}
	case LoginIdentity:
		c.Account = store.Account{ID: SystemAssignedID, Type: store.AccountManagedIdentity}
		if req.ClientID != "" {
			c.Account.ID, c.Account.ClientID = req.ClientID, req.ClientID
		}
		tctx, cancel := context.WithTimeout(ctx, e.Timeout)
		defer cancel()
		tok, err = (&miSource{e: e, clientID: req.ClientID}).Acquire(tctx, armScope, req.Tenant)
		if err != nil {
			return nil, e.explainLogin(outOfTime(tctx, err), env, store.AccountManagedIdentity)
		}
		c.Tenant = cmp.Or(req.Tenant, tok.Tenant)
	default:
		return nil, fmt.Errorf("unknown sign-in kind %q", req.Kind)
	}

	sub, err := e.findSubscription(ctx, env, c, tok, req.Subscription, req.Prompt)
	if err != nil {
		return nil, err
	}
	if sub != nil {
		c.Subscription = store.Subscription{ID: sub.ID, Name: sub.Name, State: sub.State}
	}
	c.Name = req.Name
	if c.Name == "" {
		c.Name = c.DefaultName()
	}
	r := &Resolved{Context: c, Env: env, Scope: armScope, Tenant: c.Tenant}
	err = req.Target.UpdateAll(func(cfg *store.Config, sec *store.Secrets) error {
		cfg.SetContext(c)
		cfg.Default = c.Name
		key := store.CredentialKey(c.AccountKey())
		if cred != (store.Credential{}) {
			sec.Credentials[key] = cred
		} else if c.Account.Type == store.AccountServicePrincipal {
			delete(sec.Credentials, key) // a federated sign-in replaces an old secret
		}
		if cache.changed {
			sec.MSAL[MSALPartition(c)] = cache.data
		}
		sec.Tokens[TokenKey(r)] = store.Token{AccessToken: tok.AccessToken, ExpiresOn: tok.ExpiresOn, Tenant: c.Tenant, Scope: armScope}
		return nil
	}, true)
	ForgetFailures(req.Target)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// userSignIn runs the device-code or browser flow.
func (e *Engine) userSignIn(ctx context.Context, env *store.Environment, req LoginRequest, cache *MSALCache, scope string) (public.AuthResult, error) {
	tenant := cmp.Or(req.Tenant, "organizations")
	client, err := publicClient(e, env, tenant, req.ClientID, cache)
	if err != nil {
		return public.AuthResult{}, err
	}
	if req.Kind == LoginDeviceCode {
		dctx, cancel := context.WithTimeout(ctx, e.Timeout)
		dc, err := client.AcquireTokenByDeviceCode(dctx, []string{scope})
		err = outOfTime(dctx, err)
		cancel()
		if err != nil {
			return public.AuthResult{}, e.explainLogin(err, env, "")
		}
		fmt.Fprintln(req.Prompt, dc.Result.Message)
		// The user needs time; the device code's own expiry bounds the wait.
		wctx, cancel := context.WithDeadline(ctx, dc.Result.ExpiresOn)
		defer cancel()
		res, err := dc.AuthenticationResult(wctx)
		if err != nil {
			return res, e.explainLogin(err, env, "")
		}
		return res, nil
	}
	open := req.Browser
	if open == nil {
		open = func(u string) error {
			fmt.Fprintf(req.Prompt, "azcred: opening a browser to sign in; if none opens, visit:\n%s\n", u)
			if err := OpenBrowser(u, e.getenv("BROWSER")); err != nil {
				// A headless machine: the URL above can be opened anywhere that
				// reaches this machine's localhost, so keep waiting for it.
				fmt.Fprintf(req.Prompt, "azcred: warning: %v; open the URL above yourself, azcred waits for the sign-in (or use --device-code)\n", err)
			}
			return nil
		}
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	res, err := client.AcquireTokenInteractive(wctx, []string{scope}, public.WithRedirectURI("http://localhost"), public.WithOpenURL(open))
	if err != nil {
		return res, e.explainLogin(err, env, "")
	}
	return res, nil
}

// OpenBrowser opens u with browser ($BROWSER) or else the OS's opener.
func OpenBrowser(u, browser string) error {
	var cmd *exec.Cmd
	switch {
	case browser != "":
		cmd = exec.Command(browser, u)
	case runtime.GOOS == "darwin":
		cmd = exec.Command("open", u)
	case runtime.GOOS == "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		cmd = exec.Command("xdg-open", u)
	}
	if err := cmd.Start(); err != nil {
		return WithHint(fmt.Errorf("cannot open a browser: %v", err), "use 'azcred login --device-code'")
	}
	go cmd.Wait()
	return nil
}

// newSignIn names the context of a sign-in that has not made one yet.
const newSignIn = "(new sign-in)"

// explainLogin explains a failed sign-in; accountType names whose (a
// managed identity's failures come from its endpoint, not the authority).
func (e *Engine) explainLogin(err error, env *store.Environment, accountType string) error {
	return e.explain(err, &Resolved{Context: &store.Context{Name: newSignIn, Account: store.Account{Type: accountType}}, Env: env})
}

// findSubscription lists subscriptions and picks one. A principal with no
// subscription (or no Resource Manager access) gets a tenant-level context
// unless a subscription was asked for, and warn says so, --debug or not; a
// Resource Manager that cannot be reached, stalls or redirects elsewhere
// fails the sign-in, rather than leave a context that silently lacks its
// subscription.
func (e *Engine) findSubscription(ctx context.Context, env *store.Environment, c *store.Context, tok *Token, want string, warn io.Writer) (*ARMSubscription, error) {
	if warn == nil {
		warn = io.Discard
	}
	actx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	subs, err := e.ListSubscriptions(actx, env, tok.AccessToken)
	if err != nil {
		if want != "" || errors.Is(err, ErrUnreachable) {
			return nil, err
		}
		fmt.Fprintf(warn, "azcred: warning: cannot list the subscriptions of %s: %s; the context has no subscription\n", c.Account.ID, FirstLine(err.Error()))
		if h := Hint(err); h != "" {
			fmt.Fprintf(warn, "azcred: hint: %s\n", h)
		}
		return nil, nil
	}
	if s := PickSubscription(subs, want); s != nil {
		return s, nil
	}
	if want != "" {
		return nil, WithHint(fmt.Errorf("subscription %q is not visible to %s in tenant %s", want, c.Account.ID, c.Tenant), "run 'azcred subscription list' or sign in with --tenant")
	}
	fmt.Fprintf(warn, "azcred: warning: no subscription found for %s in tenant %s; the context is for the tenant only\n", c.Account.ID, c.Tenant)
	return nil, nil
}
