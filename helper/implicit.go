package helper

import (
	"net/url"
	"strings"

	"github.com/azcred/azcred/store"
)

// ImplicitCredential is the credential of the implicit "environment"
// context, read from the process environment (as azure-identity's
// EnvironmentCredential does). It is never written to the store.
type ImplicitCredential struct {
	Secret          string
	CertificatePath string
	TokenFile       string
	// Env is set when AZURE_AUTHORITY_HOST names a cloud that is not a
	// built-in one.
	Env *store.Environment
}

// ImplicitContext builds the "environment" context when AZURE_CLIENT_ID,
// AZURE_TENANT_ID and one credential variable are set.
func ImplicitContext(getenv store.Getenv) (*ImplicitCredential, *store.Context, bool) {
	clientID, tenant := getenv("AZURE_CLIENT_ID"), getenv("AZURE_TENANT_ID")
	if clientID == "" || tenant == "" {
		return nil, nil, false
	}
	ic := &ImplicitCredential{
		Secret:          getenv("AZURE_CLIENT_SECRET"),
		CertificatePath: getenv("AZURE_CLIENT_CERTIFICATE_PATH"),
		TokenFile:       getenv("AZURE_FEDERATED_TOKEN_FILE"),
	}
	acct := store.Account{ID: clientID, Type: store.AccountServicePrincipal}
	switch {
	case ic.Secret != "":
		acct.Credential = store.CredentialSecret
	case ic.CertificatePath != "":
		acct.Credential = store.CredentialCertificate
	case ic.TokenFile != "":
		acct.Credential = store.CredentialFederated
		acct.FederatedTokenFile = ic.TokenFile
	default:
		return nil, nil, false
	}
	envName := store.DefaultEnvironment
	if host := getenv("AZURE_AUTHORITY_HOST"); host != "" {
		envName, ic.Env = authorityEnvironment(host)
	}
	ctx := &store.Context{Name: EnvironmentContextName, Account: acct, Tenant: tenant, Environment: envName}
	return ic, ctx, true
}

// authorityEnvironment maps AZURE_AUTHORITY_HOST to a built-in cloud, or
// to an ad-hoc environment for any other authority.
func authorityEnvironment(host string) (string, *store.Environment) {
	if !strings.HasSuffix(host, "/") {
		host += "/"
	}
	cfg := store.NewConfig()
	for _, e := range cfg.AllEnvironments() {
		if sameHost(e.Authority, host) {
			return e.Name, nil
		}
	}
	return "AZURE_AUTHORITY_HOST", &store.Environment{Name: "AZURE_AUTHORITY_HOST", Authority: host,
		ManagementResource: store.DefaultManagementResource}
}

func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && strings.EqualFold(ua.Host, ub.Host)
}
