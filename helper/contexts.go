package helper

// Flows over saved contexts that change the stores: sign-out, remove,
// import, save. The CLI picks the store (user or session) and prints;
// these decide what is removed or merged, under the store's lock.

import (
	"errors"
	"fmt"
	"strings"

	"github.com/azcred/azcred/store"
)

// ActiveName is the context used when nothing more specific applies:
// AZCRED_CONTEXT, else the default context.
func (c *Call) ActiveName(l *Loaded) string {
	if n := c.Getenv("AZCRED_CONTEXT"); n != "" {
		return n
	}
	return l.Default()
}

// UnknownContext is the error for a context name that is not saved.
func UnknownContext(name string) error {
	return WithHint(fmt.Errorf("no saved context named %q", name), "run 'azcred context list' to see the saved contexts")
}

// LogoutRequest says whom to sign out: one account, the account of one
// context, or everyone; none of them signs out the active context's
// account (or, in a session, the whole session).
type LogoutRequest struct {
	Account string
	Context string
	All     bool
}

// LoggedOut is what Logout did, for the CLI to report.
type LoggedOut struct {
	// Store is the store changed (nil when a session store was deleted).
	Store *store.Store
	// Session is the session store's directory when it was deleted.
	Session string
	// Removed names the contexts removed (nil with All: everything was).
	Removed []string
}

// Logout removes an account's contexts, credentials and token caches.
func (c *Call) Logout(req LogoutRequest) (*LoggedOut, error) {
	p, l, err := c.Load()
	if err != nil {
		return nil, err
	}
	if p.Session != nil && req.Account == "" && req.Context == "" && !req.All {
		if err := p.Session.RemoveAll(p.User.Dir()); err != nil {
			return nil, err
		}
		return &LoggedOut{Session: p.Session.Dir()}, nil
	}
	s := p.User
	var accountKey string
	switch {
	case req.All:
		if err := s.Clear(); err != nil {
			return nil, err
		}
		s.DropCachedKeys() // signing out also locks: the next call asks the keyring
		return &LoggedOut{Store: s}, nil
	case req.Account != "":
		for _, ctx := range l.User.Contexts {
			if strings.EqualFold(ctx.Account.ID, req.Account) {
				accountKey = ctx.AccountKey()
			}
		}
		if accountKey == "" {
			return nil, WithHint(fmt.Errorf("no saved context uses account %q", req.Account), "run 'azcred context list'")
		}
	default:
		name := req.Context
		if name == "" {
			if name = c.ActiveName(l); name == "" {
				return nil, WithHint(errors.New("no active context to sign out"), "use --context NAME, --account A or --all")
			}
		}
		ctx, cs, ok := p.Find(l, name)
		if !ok {
			return nil, UnknownContext(name)
		}
		s, accountKey = cs, ctx.AccountKey()
	}
	out := &LoggedOut{Store: s}
	err = s.UpdateAll(func(cfg *store.Config, sec *store.Secrets) error {
		for _, n := range cfg.ContextNames() {
			if cfg.Contexts[n].AccountKey() == accountKey {
				out.Removed = append(out.Removed, n)
				cfg.RemoveContext(n)
			}
		}
		sec.DropAccount(accountKey)
		return nil
	}, true)
	if err != nil {
		return nil, err
	}
	s.DropCachedKeys() // signing out also locks: the next call asks the keyring
	return out, nil
}

// RemoveContext removes the context name from s, with the tokens and
// credentials no remaining context uses.
func RemoveContext(s *store.Store, name string) error {
	return s.UpdateAll(func(cfg *store.Config, sec *store.Secrets) error {
		if err := cfg.RemoveContext(name); err != nil {
			return err
		}
		sec.DropUnused(cfg)
		return nil
	}, true)
}

// Import merges im into s: its contexts, credentials and (for user
// accounts) token cache. It returns the contexts added and the
// environments they name that s does not define.
func Import(s *store.Store, im *store.Imported) (added, missing []string, err error) {
	err = s.UpdateAll(func(cfg *store.Config, sec *store.Secrets) error {
		missing = im.MissingEnvironments(cfg)
		added = store.MergeImport(cfg, im)
		for k, v := range im.Credentials {
			sec.Credentials[k] = v
		}
		for _, ctx := range im.Contexts {
			if ctx.Account.Type != store.AccountUser {
				continue
			}
			// Azure CLI's cache is split per account; Az's is one blob.
			if cache := im.MSALCaches[ctx.AccountKey()]; len(cache) > 0 {
				sec.MSAL[MSALPartition(ctx)] = cache
			} else if len(im.MSALCache) > 0 {
				sec.MSAL[MSALPartition(ctx)] = im.MSALCache
			}
		}
		return nil
	}, true)
	return added, missing, err
}

// SaveAz renders the context name ("" for the active one) in Az's
// Save-AzContext format, with its token cache when withTokens is set.
// It returns the name it saved.
func (c *Call) SaveAz(name string, withTokens bool) ([]byte, string, error) {
	p, l, err := c.Load()
	if err != nil {
		return nil, "", err
	}
	if name == "" {
		if name = c.ActiveName(l); name == "" {
			return nil, "", WithHint(errors.New("no active context to save"), "name one: azcred context save PATH NAME")
		}
	}
	ctx, s, ok := p.Find(l, name)
	if !ok {
		return nil, "", UnknownContext(name)
	}
	var cache []byte
	if withTokens {
		sec, err := s.Secrets()
		if err != nil {
			return nil, "", err
		}
		cache = sec.MSAL[MSALPartition(ctx)]
	}
	data, err := store.SaveAz([]*store.Context{ctx}, l.Environment, cache)
	return data, name, err
}
