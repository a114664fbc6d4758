package helper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/azcred/azcred/store"
)

// Token is an access token with what callers print next to it.
type Token struct {
	AccessToken string
	ExpiresOn   time.Time
	Tenant      string
	Scope       string
	// FromCache is true when no network request was made.
	FromCache bool
}

// Engine hands out tokens for resolved contexts: from the vault while
// they have MinTTL left (no network, no MSAL), else through a source
// (MSAL) under a per-token cross-process lock, so N processes that need
// the same expired token make one request between them.
type Engine struct {
	Profile *Profile
	// MinTTL is the least lifetime a cached token must have left.
	MinTTL time.Duration
	// Timeout bounds every network operation of one command.
	Timeout time.Duration
	Now     func() time.Time
	HTTP    *http.Client
	Debugf  func(format string, args ...any)
	// NewSource builds the token source for an account; tests replace it.
	NewSource func(e *Engine, r *Resolved, sec *store.Secrets, cache *MSALCache) (Source, error)
	getenv    store.Getenv
}

// Source acquires fresh tokens for one account (MSAL underneath).
type Source interface {
	Acquire(ctx context.Context, scope, tenant string) (*Token, error)
}

// DefaultMinTTL is the contract's 5 minutes.
const DefaultMinTTL = 5 * time.Minute

// DefaultTimeout is AZCRED_TIMEOUT's default.
const DefaultTimeout = 30 * time.Second

// NewEngine reads AZCRED_MIN_TTL and AZCRED_TIMEOUT.
func NewEngine(p *Profile, getenv store.Getenv, debugf func(string, ...any)) (*Engine, error) {
	e := &Engine{Profile: p, MinTTL: DefaultMinTTL, Timeout: DefaultTimeout, Now: time.Now, Debugf: debugf,
		NewSource: newMSALSource, getenv: getenv}
	if debugf == nil {
		e.Debugf = func(string, ...any) {}
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"AZCRED_MIN_TTL", &e.MinTTL}, {"AZCRED_TIMEOUT", &e.Timeout}} {
		if v := getenv(d.name); v != "" {
			x, err := time.ParseDuration(v)
			if err != nil || x < 0 {
				return nil, WithHint(errors.New(d.name+"="+v+" is not a duration"), "use a Go duration such as 5m or 30s")
			}
			*d.dst = x
		}
	}
	e.HTTP = NewHTTPClient(e.Timeout)
	return e, nil
}

// TokenKey is the vault key of r's cached access token (store.TokenKey).
func TokenKey(r *Resolved) string {
	return store.TokenKey(r.Context.AccountKey(), r.Tenant, r.Scope)
}

// maxCachedLifetime is more than any token Entra or ACR issues lives (an
// Entra access token at most 28 hours, an ACR refresh token 3). A cached
// token with more left than that means the clock jumped back since it was
// cached (or the issuer's clock is far ahead): it is not served.
const maxCachedLifetime = 30 * time.Hour

func (e *Engine) fresh(t store.Token) bool {
	return t.AccessToken != "" && e.usable(t.ExpiresOn)
}

// usable reports whether a cached token expiring at exp may be served now.
func (e *Engine) usable(exp time.Time) bool {
	left := exp.Sub(e.Now())
	return left >= e.MinTTL && left <= maxCachedLifetime
}

// Token returns a token for r: cached, or refreshed silently.
func (e *Engine) Token(ctx context.Context, r *Resolved) (*Token, error) {
	key := TokenKey(r)
	if t, ok := r.Store.CachedToken(key); ok && e.fresh(t) {
		e.Debugf("cache hit for %s (%s) scope %s, expires %s", r.Context.Name, r.Source, r.Scope, t.ExpiresOn.Format(time.RFC3339))
		return &Token{AccessToken: t.AccessToken, ExpiresOn: t.ExpiresOn, Tenant: t.Tenant, Scope: r.Scope, FromCache: true}, nil
	}
	return e.refresh(ctx, r, key)
}

// refresh acquires a new token under the per-token lock. The lock lives in
// the store whose vault we write; a second process waiting on it re-reads
// the vault and finds our token.
func (e *Engine) refresh(ctx context.Context, r *Resolved, key string) (*Token, error) {
	ctx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	unlock, err := r.Store.LockToken(ctx, key)
	if err != nil {
		e.Debugf("refresh lock: %v (going on without it)", err)
		unlock = func() {}
	}
	defer unlock()
	sec, err := r.Store.Secrets()
	if err != nil {
		return nil, err
	}
	if t, ok := sec.Tokens[key]; ok && e.fresh(t) {
		e.Debugf("another azcred refreshed %s while we waited", r.Context.Name)
		return &Token{AccessToken: t.AccessToken, ExpiresOn: t.ExpiresOn, Tenant: t.Tenant, Scope: r.Scope, FromCache: true}, nil
	}
	cached := sec.Tokens[key] // served if the refresh fails in an outage (outage.go)
	if err := e.recallFailure(r, key); err != nil {
		return nil, err
	}
	e.Debugf("refreshing %s (%s) scope %s tenant %s", r.Context.Name, r.Source, r.Scope, r.Tenant)
	cache := &MSALCache{data: sec.MSAL[MSALPartition(r.Context)]}
	src, err := e.NewSource(e, r, sec, cache)
	if err != nil {
		return nil, err
	}
	tok, err := src.Acquire(ctx, r.Scope, r.Tenant)
	if err != nil {
		err = outOfTime(ctx, err)
		if old, ok := e.serveStale(r, cached, err); ok {
			return old, nil
		}
		err = e.explain(err, r)
		e.rememberFailure(r, key, err)
		return nil, err
	}
	if err := checkTokenSize(tok.AccessToken, r); err != nil {
		return nil, err
	}
	e.save(r, key, tok, cache)
	return tok, nil
}

// save writes the token (and MSAL's updated cache) to the vault. Best
// effort: a request that got its token never fails because the cache
// could not be written; with autosave off nothing is written at all.
func (e *Engine) save(r *Resolved, key string, tok *Token, cache *MSALCache) {
	err := r.Store.UpdateSecrets(func(sec *store.Secrets) error {
		sec.Tokens[key] = store.Token{AccessToken: tok.AccessToken, ExpiresOn: tok.ExpiresOn, Tenant: tok.Tenant, Scope: tok.Scope}
		if cache.changed {
			sec.MSAL[MSALPartition(r.Context)] = cache.data
		}
		e.dropExpired(sec)
		return nil
	})
	switch {
	case errors.Is(err, store.ErrNotSaved):
		e.Debugf("autosave is off: refreshed token not saved")
	case err != nil:
		e.Debugf("could not cache the token: %v", err)
	}
}

// dropExpired keeps the vault from growing with dead tokens.
func (e *Engine) dropExpired(sec *store.Secrets) {
	now := e.Now()
	for k, t := range sec.Tokens {
		if t.ExpiresOn.Before(now) {
			delete(sec.Tokens, k)
		}
	}
	for k, t := range sec.Registries {
		if t.ExpiresOn.Before(now) {
			delete(sec.Registries, k)
		}
	}
}

// outOfTime marks err as a timeout when ctx ran out, whatever MSAL made
// of it: a body cut short by the deadline reads to MSAL as JSON that is
// not a token.
func outOfTime(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	return err
}

// Forget drops the cached access token for r (git erase).
func (e *Engine) Forget(r *Resolved) error {
	key := TokenKey(r)
	return r.Store.UpdateSecrets(func(sec *store.Secrets) error {
		delete(sec.Tokens, key)
		return nil
	})
}
