package doctor

import (
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/store"
)

// ContextInfo is a context as doctor shows it: who, where, and when its
// cached tokens expire. It never holds a token.
type ContextInfo struct {
	Name         string         `json:"name"`
	Active       bool           `json:"active"`
	Store        string         `json:"store"` // user or session
	AccountID    string         `json:"accountId"`
	AccountType  string         `json:"accountType"`
	Tenant       string         `json:"tenant"`
	Subscription string         `json:"subscription,omitempty"`
	Environment  string         `json:"environment"`
	SignIn       string         `json:"signIn"` // how tokens are renewed, and whether what that needs is stored
	Tokens       []TokenInfo    `json:"tokens"`
	Registries   []RegistryInfo `json:"registries,omitempty"`
}

// TokenInfo is a cached access token without the token.
type TokenInfo struct {
	Scope     string    `json:"scope"`
	Tenant    string    `json:"tenant,omitempty"`
	ExpiresOn time.Time `json:"expiresOn"`
	Expired   bool      `json:"expired"`
}

// RegistryInfo is a cached ACR refresh token without the token.
type RegistryInfo struct {
	Host      string    `json:"host"`
	ExpiresOn time.Time `json:"expiresOn"`
	Expired   bool      `json:"expired"`
}

// BindingInfo is a binding and whether its context exists.
type BindingInfo struct {
	store.Binding
	Store string `json:"store"`
	OK    bool   `json:"ok"`
}

func (r *Report) checkContexts(p *helper.Profile, l *helper.Loaded, secrets map[*store.Store]*store.Secrets, o Options) {
	active := o.Getenv("AZCRED_CONTEXT")
	activeSource := "AZCRED_CONTEXT"
	if active == "" {
		active, activeSource = l.Default(), "the default context"
	}
	r.Default = active
	seen := map[string]bool{}
	add := func(cfg *store.Config, s *store.Store, where string) {
		for _, name := range cfg.ContextNames() {
			if seen[name] {
				continue // a session context hides a user context of the same name
			}
			seen[name] = true
			r.Contexts = append(r.Contexts, r.contextInfo(l, cfg.Contexts[name], name == active, where, secrets[s], o.Now()))
		}
	}
	if l.Session != nil {
		add(l.Session, p.Session, "session")
	}
	add(l.User, p.User, "user")
	sort.SliceStable(r.Contexts, func(i, j int) bool { return r.Contexts[i].Name < r.Contexts[j].Name })

	_, implicit, hasImplicit := helper.ImplicitContext(o.Getenv)
	if hasImplicit {
		r.Implicit = &ImplicitInfo{ClientID: implicit.Account.ID, Tenant: implicit.Tenant, Credential: implicit.Account.Credential}
	}
	switch {
	case active != "" && !seen[active] && !(active == helper.EnvironmentContextName && hasImplicit):
		fix := "azcred context select NAME (see 'azcred context list')"
		if activeSource == "AZCRED_CONTEXT" {
			fix = "unset AZCRED_CONTEXT, or set it to a saved context"
		}
		r.add("context", StatusProblem, fmt.Sprintf("%s is %q, which is not saved", activeSource, active), fix)
	case len(r.Contexts) == 0 && !hasImplicit:
		r.add("context", StatusProblem, "no saved contexts: nothing can get a token yet", "azcred login")
	case active == "" && !hasImplicit:
		r.add("context", StatusInfo, "no default context: only --context and bindings choose one", "azcred context select NAME")
	}
}

func (r *Report) contextInfo(l *helper.Loaded, c *store.Context, active bool, where string, sec *store.Secrets, now time.Time) ContextInfo {
	ci := ContextInfo{Name: c.Name, Active: active, Store: where, AccountID: c.Account.ID, AccountType: c.Account.Type,
		Tenant: c.Tenant, Subscription: c.Subscription.Name, Environment: c.Environment, Tokens: []TokenInfo{}}
	if ci.Environment == "" {
		ci.Environment = store.DefaultEnvironment
	}
	if _, err := l.Environment(ci.Environment); err != nil {
		r.add("context", StatusProblem, fmt.Sprintf("context %q uses environment %q, which is not defined", c.Name, ci.Environment),
			fmt.Sprintf("azcred environment add %s --authority URL --resource-manager URL", store.QuoteArg(ci.Environment)))
	}
	if sec == nil {
		ci.SignIn = "unknown (the vault cannot be read)"
		return ci
	}
	account := c.AccountKey()
	for k, t := range sec.Tokens {
		if store.KeyAccount(k) == account {
			ci.Tokens = append(ci.Tokens, TokenInfo{Scope: t.Scope, Tenant: t.Tenant, ExpiresOn: t.ExpiresOn, Expired: !t.ExpiresOn.After(now)})
		}
	}
	sort.Slice(ci.Tokens, func(i, j int) bool {
		return ci.Tokens[i].Scope+ci.Tokens[i].Tenant < ci.Tokens[j].Scope+ci.Tokens[j].Tenant
	})
	for k, t := range sec.Registries {
		if store.KeyAccount(k) == account {
			ci.Registries = append(ci.Registries, RegistryInfo{Host: store.RegistryKeyHost(k), ExpiresOn: t.ExpiresOn, Expired: !t.ExpiresOn.After(now)})
		}
	}
	sort.Slice(ci.Registries, func(i, j int) bool { return ci.Registries[i].Host < ci.Registries[j].Host })
	ci.SignIn = r.signIn(c, sec)
	return ci
}

// signIn says how the context renews its tokens and flags what is missing.
func (r *Report) signIn(c *store.Context, sec *store.Secrets) string {
	relogin := "azcred login --context " + store.QuoteArg(c.Name)
	switch c.Account.Type {
	case store.AccountUser:
		if len(sec.MSAL[helper.MSALPartition(c)]) == 0 {
			r.add("context", StatusInfo, fmt.Sprintf("context %q has no refresh token: it needs a sign-in before it can get tokens", c.Name), relogin)
			return "user: no refresh token"
		}
		return "user: refresh token stored"
	case store.AccountServicePrincipal:
		switch c.Account.Credential {
		case store.CredentialFederated:
			if _, err := os.Stat(c.Account.FederatedTokenFile); err != nil {
				r.add("context", StatusProblem, fmt.Sprintf("context %q reads its federated token from %s, which is missing", c.Name, c.Account.FederatedTokenFile),
					fmt.Sprintf("azcred login --service-principal --tenant %s --client-id %s --federated-token-file FILE --name %s", c.Tenant, c.Account.ID, store.QuoteArg(c.Name)))
				return "service principal: federated token file missing"
			}
			return "service principal: federated token file " + c.Account.FederatedTokenFile
		default:
			if _, ok := sec.Credentials[store.CredentialKey(c.AccountKey())]; !ok {
				r.add("context", StatusProblem, fmt.Sprintf("context %q has no %s in the vault", c.Name, credentialName(c.Account.Credential)),
					fmt.Sprintf("azcred login --service-principal --tenant %s --client-id %s --secret-stdin --name %s", c.Tenant, c.Account.ID, store.QuoteArg(c.Name)))
				return "service principal: " + credentialName(c.Account.Credential) + " missing"
			}
			return "service principal: " + credentialName(c.Account.Credential) + " stored"
		}
	case store.AccountManagedIdentity:
		return "managed identity: nothing stored"
	}
	return c.Account.Type
}

func credentialName(kind string) string {
	if kind == "" {
		return store.CredentialSecret
	}
	return kind
}

func (r *Report) checkBindings(p *helper.Profile, l *helper.Loaded, o Options) {
	_, _, hasImplicit := helper.ImplicitContext(o.Getenv)
	exists := func(name string) bool {
		if _, _, ok := p.Find(l, name); ok {
			return true
		}
		return name == helper.EnvironmentContextName && hasImplicit
	}
	add := func(cfg *store.Config, where string) {
		for _, b := range cfg.Bindings {
			bi := BindingInfo{Binding: b, Store: where, OK: exists(b.Context)}
			r.Bindings = append(r.Bindings, bi)
			if !bi.OK {
				r.add("binding", StatusProblem, fmt.Sprintf("binding %s names context %q, which is not saved", b.Target, b.Context),
					fmt.Sprintf("azcred unbind %s (or azcred bind %s NAME)", store.QuoteArg(b.Target), store.QuoteArg(b.Target)))
			}
		}
	}
	if l.Session != nil {
		add(l.Session, "session")
	}
	add(l.User, "user")
}
