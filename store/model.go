package store

import (
	"sort"
	"strings"
)

// SchemaVersion is the version of config.json this azcred writes. A file
// with a higher version was written by a newer azcred and is never touched.
const SchemaVersion = 1

// Account types, spelled as Az.Accounts spells them.
const (
	AccountUser             = "User"
	AccountServicePrincipal = "ServicePrincipal"
	AccountManagedIdentity  = "ManagedService"
)

// Service principal credential kinds (Account.Credential).
const (
	CredentialSecret      = "secret"
	CredentialCertificate = "certificate"
	CredentialFederated   = "federated"
)

// Config is the whole of config.json.
type Config struct {
	Version      int                     `json:"version"`
	Default      string                  `json:"default,omitempty"`
	Contexts     map[string]*Context     `json:"contexts,omitempty"`
	Environments map[string]*Environment `json:"environments,omitempty"` // custom ones only
	Bindings     []Binding               `json:"bindings,omitempty"`
	Settings     Settings                `json:"settings"`
	// index is set on a view (LoadView): Contexts then holds only the
	// contexts looked up so far, and Bindings nothing.
	index *configIndex
}

// Context is a saved Azure context: who (account), where (tenant,
// subscription) and which cloud (environment). Its name is its key in
// Config.Contexts.
type Context struct {
	Name         string       `json:"-"`
	Account      Account      `json:"account"`
	Tenant       string       `json:"tenant"`
	Subscription Subscription `json:"subscription"`
	Environment  string       `json:"environment"`
}

// Account identifies the principal. It holds no secret: a service
// principal's secret or certificate is in the vault under Key().
type Account struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	// HomeAccountID is MSAL's account identifier for users
	// ("oid.tid"), used to find the account in the MSAL cache.
	HomeAccountID string `json:"homeAccountId,omitempty"`
	// Credential is how a service principal signs in (secret,
	// certificate, federated).
	Credential string `json:"credential,omitempty"`
	// FederatedTokenFile is re-read on every refresh: platforms rotate it.
	FederatedTokenFile string `json:"federatedTokenFile,omitempty"`
	// ClientID is set for user-assigned managed identities and for
	// users who signed in with a client id other than the default.
	ClientID string `json:"clientId,omitempty"`
	// Tenants the account was seen in at sign-in.
	Tenants []string `json:"tenants,omitempty"`
}

// Subscription is the context's default subscription; empty for a
// tenant-level context.
type Subscription struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	State string `json:"state,omitempty"`
}

// Binding pins a target (a URL prefix, a registry host or a cluster server
// URL) to a context, optionally with an OAuth scope and a tenant.
type Binding struct {
	Target  string `json:"target"`
	Context string `json:"context"`
	Scope   string `json:"scope,omitempty"`
	Tenant  string `json:"tenant,omitempty"`
}

// Settings are user preferences.
type Settings struct {
	// Autosave nil means the default (on).
	Autosave *bool `json:"autosave,omitempty"`
}

// AccountKey identifies the account's secrets and tokens in the vault,
// independently of the context name, so renaming a context keeps its
// tokens and two contexts of one account share them.
func (c *Context) AccountKey() string {
	return AccountKey(c.Environment, c.Account.Type, c.Account.ID)
}

// DefaultName is the name Az gives a context:
// "{SubName} ({SubId}) - {TenantId} - {AccountId}", or
// "{TenantId} - {AccountId}" without a subscription.
func (c *Context) DefaultName() string {
	if c.Subscription.ID == "" {
		return c.Tenant + " - " + c.Account.ID
	}
	return c.Subscription.Name + " (" + c.Subscription.ID + ") - " + c.Tenant + " - " + c.Account.ID
}

// NewConfig returns an empty config of the current schema.
func NewConfig() *Config {
	return &Config{Version: SchemaVersion, Contexts: map[string]*Context{}, Environments: map[string]*Environment{}}
}

// ContextNames returns the context names, sorted.
func (c *Config) ContextNames() []string {
	names := make([]string, 0, len(c.Contexts))
	for n := range c.Contexts {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Context returns the named context, or a NotFoundError.
func (c *Config) Context(name string) (*Context, error) {
	ctx, ok := c.Lookup(name)
	if !ok {
		return nil, &NotFoundError{Kind: "context", Name: name}
	}
	return ctx, nil
}

// Lookup returns the named context, from a view's index if need be.
func (c *Config) Lookup(name string) (*Context, bool) {
	if ctx, ok := c.Contexts[name]; ok {
		return ctx, true
	}
	if c.index == nil {
		return nil, false
	}
	ctx := c.index.lookupContext(name)
	if ctx == nil {
		return nil, false
	}
	if c.Contexts == nil {
		c.Contexts = map[string]*Context{}
	}
	c.Contexts[name] = ctx
	return ctx, true
}

// AutosaveOn reports the stored autosave setting (default on).
func (c *Config) AutosaveOn() bool { return c.Settings.Autosave == nil || *c.Settings.Autosave }

// SetContext adds or replaces a context under its Name.
func (c *Config) SetContext(ctx *Context) {
	if c.Contexts == nil {
		c.Contexts = map[string]*Context{}
	}
	c.Contexts[ctx.Name] = ctx
}

// RenameContext renames a context and the bindings and default that name it.
func (c *Config) RenameContext(old, new string) error {
	ctx, err := c.Context(old)
	if err != nil {
		return err
	}
	if old == new {
		return nil
	}
	if _, taken := c.Contexts[new]; taken {
		return &ExistsError{Kind: "context", Name: new}
	}
	if strings.TrimSpace(new) == "" {
		return ErrEmptyName
	}
	delete(c.Contexts, old)
	ctx.Name = new
	c.Contexts[new] = ctx
	if c.Default == old {
		c.Default = new
	}
	for i := range c.Bindings {
		if c.Bindings[i].Context == old {
			c.Bindings[i].Context = new
		}
	}
	return nil
}

// RemoveContext removes a context; removing the default leaves none
// active. Bindings to it are removed too: a binding to nothing would only
// fail later with a worse message.
func (c *Config) RemoveContext(name string) error {
	if _, err := c.Context(name); err != nil {
		return err
	}
	delete(c.Contexts, name)
	if c.Default == name {
		c.Default = ""
	}
	kept := c.Bindings[:0]
	for _, b := range c.Bindings {
		if b.Context != name {
			kept = append(kept, b)
		}
	}
	c.Bindings = kept
	return nil
}

// AccountKeys returns the set of account keys still used by a context.
func (c *Config) AccountKeys() map[string]bool {
	keys := map[string]bool{}
	for _, ctx := range c.Contexts {
		keys[ctx.AccountKey()] = true
	}
	return keys
}
