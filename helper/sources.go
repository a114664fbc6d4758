package helper

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/managedidentity"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/azcred/azcred/store"
)

// PublicClientID is the Azure CLI's public client, which Azure DevOps,
// AKS and ACR all accept, so one sign-in serves every caller.
const PublicClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

// SystemAssignedID is Az's account id for a system-assigned managed identity.
const SystemAssignedID = "MSI@50342"

// authorityFor is the MSAL authority of tenant in env.
func authorityFor(env *store.Environment, tenant string) string {
	if tenant == "" {
		tenant = "organizations"
	}
	return strings.TrimRight(env.Authority, "/") + "/" + tenant
}

// newMSALSource picks the MSAL client for the account type.
func newMSALSource(e *Engine, r *Resolved, sec *store.Secrets, cache *MSALCache) (Source, error) {
	acct := r.Context.Account
	switch acct.Type {
	case store.AccountUser:
		return &userSource{e: e, r: r, cache: cache}, nil
	case store.AccountServicePrincipal:
		cred, err := spCredential(r, sec)
		if err != nil {
			return nil, err
		}
		return &spSource{e: e, env: r.Env, clientID: acct.ID, cred: cred}, nil
	case store.AccountManagedIdentity:
		return &miSource{e: e, clientID: acct.ClientID}, nil
	}
	return nil, fmt.Errorf("context %q has an account of unknown type %q", r.Context.Name, acct.Type)
}

type userSource struct {
	e     *Engine
	r     *Resolved
	cache *MSALCache
}

func publicClient(e *Engine, env *store.Environment, tenant, clientID string, cache *MSALCache) (public.Client, error) {
	if clientID == "" {
		clientID = PublicClientID
	}
	return public.New(clientID, public.WithAuthority(authorityFor(env, tenant)), public.WithCache(cache),
		public.WithHTTPClient(e.HTTP), public.WithInstanceDiscovery(env.IsMicrosoftAuthority()))
}

func (s *userSource) Acquire(ctx context.Context, scope, tenant string) (*Token, error) {
	r := s.r
	client, err := publicClient(s.e, r.Env, r.Context.Tenant, r.Context.Account.ClientID, s.cache)
	if err != nil {
		return nil, err
	}
	accounts, err := client.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	var account *public.Account
	for i := range accounts {
		a := &accounts[i]
		if a.HomeAccountID == r.Context.Account.HomeAccountID || (r.Context.Account.HomeAccountID == "" && strings.EqualFold(a.PreferredUsername, r.Context.Account.ID)) {
			account = a
			break
		}
	}
	if account == nil {
		return nil, &needsLogin{reason: "no saved sign-in"}
	}
	opts := []public.AcquireSilentOption{public.WithSilentAccount(*account)}
	if tenant != "" && !strings.EqualFold(tenant, r.Context.Tenant) {
		opts = append(opts, public.WithTenantID(tenant))
	}
	res, err := client.AcquireTokenSilent(ctx, []string{scope}, opts...)
	if err != nil {
		return nil, err
	}
	return &Token{AccessToken: res.AccessToken, ExpiresOn: res.ExpiresOn, Tenant: cmp.Or(res.IDToken.TenantID, tenant), Scope: scope}, nil
}

type spSource struct {
	e        *Engine
	env      *store.Environment
	clientID string
	cred     confidential.Credential
}

// spCredential builds the MSAL credential of a service principal from
// the vault, or for the implicit context, from the environment.
func spCredential(r *Resolved, sec *store.Secrets) (confidential.Credential, error) {
	acct := r.Context.Account
	var secret, certPEM, tokenFile string
	if ic := r.Implicit; ic != nil {
		secret, tokenFile = ic.Secret, ic.TokenFile
		if ic.CertificatePath != "" {
			b, err := store.ReadFileLimited(ic.CertificatePath)
			if err != nil {
				return confidential.Credential{}, WithHint(fmt.Errorf("AZURE_CLIENT_CERTIFICATE_PATH: %w", unwrapPath(err)), "point it at a PEM file with the certificate and its private key")
			}
			certPEM = string(b)
		}
	} else {
		c := sec.Credentials[store.CredentialKey(r.Context.AccountKey())]
		secret, certPEM, tokenFile = c.Secret, c.CertificatePEM, acct.FederatedTokenFile
	}
	switch {
	case secret != "":
		return confidential.NewCredFromSecret(secret)
	case certPEM != "":
		certs, key, err := confidential.CertFromPEM([]byte(certPEM), "")
		if err != nil {
			return confidential.Credential{}, WithHint(errors.New("the certificate is not a PEM certificate with an unencrypted private key"), "sign in again with --certificate")
		}
		return confidential.NewCredFromCert(certs, key)
	case tokenFile != "":
		return confidential.NewCredFromAssertionCallback(func(ctx context.Context, _ confidential.AssertionRequestOptions) (string, error) {
			return readFederatedToken(ctx, tokenFile)
		}), nil
	}
	return confidential.Credential{}, WithHint(fmt.Errorf("no credential is saved for service principal %s", acct.ID),
		"run: %s (or --certificate, --federated-token-file)", Cmd("login", "--service-principal", "--tenant", r.Context.Tenant, "--client-id", acct.ID, "--secret-stdin"))
}

// readFederatedToken reads a workload identity token file; platforms
// rotate it, so it is read on every refresh.
// FIFOs and devices are refused without blocking; a read that still hangs
// (a stuck network or FUSE mount) gives up with ctx (AZCRED_TIMEOUT).
func readFederatedToken(ctx context.Context, path string) (string, error) {
	type read struct {
		b   []byte
		err error
	}
	done := make(chan read, 1)
	go func() {
		b, err := store.ReadFileLimited(path)
		done <- read{b, err}
	}()
	var b []byte
	var err error
	select {
	case r := <-done:
		b, err = r.b, r.err
	case <-ctx.Done():
		return "", WithHint(fmt.Errorf("federated token file %s: not read within the timeout", path), "check AZURE_FEDERATED_TOKEN_FILE or --federated-token-file; AZCRED_TIMEOUT sets the limit")
	}
	if err != nil {
		return "", WithHint(fmt.Errorf("federated token file: %w", unwrapPath(err)), "check AZURE_FEDERATED_TOKEN_FILE or --federated-token-file")
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("federated token file %s is empty", path)
	}
	return tok, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

func (s *spSource) Acquire(ctx context.Context, scope, tenant string) (*Token, error) {
	client, err := confidential.New(authorityFor(s.env, tenant), s.clientID, s.cred,
		confidential.WithHTTPClient(s.e.HTTP), confidential.WithInstanceDiscovery(s.env.IsMicrosoftAuthority()))
	if err != nil {
		return nil, err
	}
	res, err := client.AcquireTokenByCredential(ctx, []string{scope})
	if err != nil {
		return nil, err
	}
	return &Token{AccessToken: res.AccessToken, ExpiresOn: res.ExpiresOn, Tenant: tenant, Scope: scope}, nil
}

type miSource struct {
	e        *Engine
	clientID string
}

func (s *miSource) Acquire(ctx context.Context, scope, tenant string) (*Token, error) {
	id := managedidentity.SystemAssigned()
	if s.clientID != "" {
		id = managedidentity.UserAssignedClientID(s.clientID)
	}
	client, err := managedidentity.New(id, managedidentity.WithHTTPClient(s.e.HTTP))
	if err != nil {
		return nil, err
	}
	res, err := client.AcquireToken(ctx, strings.TrimSuffix(scope, "/.default"))
	if err != nil {
		return nil, err
	}
	tid := tenant
	if c, err := peekClaims(res.AccessToken); err == nil && c.Tenant != "" {
		tid = c.Tenant
	}
	return &Token{AccessToken: res.AccessToken, ExpiresOn: res.ExpiresOn, Tenant: tid, Scope: scope}, nil
}
