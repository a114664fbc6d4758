package helper

// Azure Container Registry tokens for the docker credential helper
// (https://github.com/Azure/acr/blob/main/docs/AAD-OAuth.md).
//
// Rules:
//   - an Entra access token for RegistryScope is traded at
//     https://HOST/oauth2/exchange for an ACR refresh token, which clients
//     use as the password of RegistryUser;
//   - the refresh token is cached in the vault under RegistryKey until MinTTL
//     before its exp, so a second get makes no request at all;
//   - a failed exchange (an HTTP error, a timeout, a redirect, an answer
//     without a refresh token) caches nothing;
//   - the exchange never follows a redirect: its body carries the Entra
//     token, and Go would re-send it to wherever a 307 points.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/azcred/azcred/store"
)

// RegistryUser is the user name ACR pairs with a refresh token.
const RegistryUser = "00000000-0000-0000-0000-000000000000"

// defaultRegistryLifetime is ACR's refresh token lifetime, assumed when a
// token does not carry an exp we can read.
const defaultRegistryLifetime = 3 * time.Hour

// RegistryKey is the vault key of r's cached ACR refresh token for host
// (store.RegistryKey).
func RegistryKey(r *Resolved, host string) string {
	return store.RegistryKey(r.Context.AccountKey(), r.Tenant, host)
}

// ForgetRegistry drops every cached refresh token for host, whichever
// account got it (docker erase).
func ForgetRegistry(sec *store.Secrets, host string) {
	host = strings.ToLower(host)
	for k := range sec.Registries {
		if store.RegistryKeyHost(k) == host {
			delete(sec.Registries, k)
		}
	}
}

// CachedRegistries lists the hosts that have a cached refresh token,
// sorted and without duplicates (docker list).
func CachedRegistries(sec *store.Secrets) []string {
	seen := map[string]bool{}
	var out []string
	for k := range sec.Registries {
		if h := store.RegistryKeyHost(k); !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out
}

// RegistryToken returns an ACR refresh token for host: cached until
// shortly before it expires, else a fresh Entra token exchanged at
// https://HOST/oauth2/exchange. Concurrent callers share one exchange.
func (e *Engine) RegistryToken(ctx context.Context, r *Resolved, host string) (*Token, error) {
	key := RegistryKey(r, host)
	if t, ok := e.cachedRegistry(r, key); ok {
		return t, nil
	}
	// One bound for the Entra token and the exchange together.
	ctx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	unlock, err := r.Store.LockRegistry(ctx, key)
	if err != nil {
		e.Debugf("registry lock: %v (going on without it)", err)
		unlock = func() {}
	}
	defer unlock()
	if t, ok := e.cachedRegistry(r, key); ok {
		return t, nil
	}
	aad, err := e.Token(ctx, r)
	if err != nil {
		return nil, err
	}
	refresh, exp, err := e.exchange(ctx, host, r.Tenant, aad.AccessToken)
	if err != nil {
		return nil, err
	}
	// Best effort: the caller has its token even if the vault cannot be written.
	err = r.Store.UpdateSecrets(func(sec *store.Secrets) error {
		sec.Registries[key] = store.RegistryToken{RefreshToken: refresh, ExpiresOn: exp}
		return nil
	})
	if err != nil && !errors.Is(err, store.ErrNotSaved) {
		e.Debugf("could not cache the registry token: %v", err)
	}
	return &Token{AccessToken: refresh, ExpiresOn: exp, Tenant: r.Tenant}, nil
}

func (e *Engine) cachedRegistry(r *Resolved, key string) (*Token, bool) {
	t, ok := r.Store.CachedRegistry(key)
	if !ok {
		// A vault written by an older azcred keeps its tokens in vault.bin.
		sec, err := r.Store.Secrets()
		if err != nil {
			return nil, false
		}
		t, ok = sec.Registries[key]
	}
	if !ok || t.RefreshToken == "" || !e.usable(t.ExpiresOn) {
		return nil, false
	}
	e.Debugf("registry token cache hit, expires %s", t.ExpiresOn.Format(time.RFC3339))
	return &Token{AccessToken: t.RefreshToken, ExpiresOn: t.ExpiresOn, Tenant: r.Tenant, FromCache: true}, true
}

// exchange trades an Entra access token for an ACR refresh token.
func (e *Engine) exchange(ctx context.Context, host, tenant, aadToken string) (string, time.Time, error) {
	form := url.Values{"grant_type": {"access_token"}, "service": {host}, "tenant": {tenant}, "access_token": {aadToken}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+host+"/oauth2/exchange", strings.NewReader(form.Encode()))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("registry %s: %w", host, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := noRedirects(e.HTTP).Do(req)
	if err != nil {
		if isTimeout(err) {
			return "", time.Time{}, timedOut("registry "+host, e.Timeout, nil)
		}
		return "", time.Time{}, WithHint(fmt.Errorf("cannot reach registry %s: %s", host, shortNetErr(err)), "check the registry name and the network")
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		if isTimeout(err) {
			return "", time.Time{}, timedOut("registry "+host, e.Timeout, nil)
		}
		return "", time.Time{}, fmt.Errorf("registry %s: reading the token exchange answer: %s", host, shortNetErr(err))
	}
	if resp.StatusCode != http.StatusOK {
		e.Debugf("registry %s exchange answered HTTP %d: %s", host, resp.StatusCode, Redact(acrDetail(string(body), 300)))
		return "", time.Time{}, exchangeError(host, resp.StatusCode)
	}
	var out struct {
		RefreshToken string `json:"refresh_token"`
	}
	if json.Unmarshal(body, &out) != nil || out.RefreshToken == "" {
		return "", time.Time{}, fmt.Errorf("registry %s: the token exchange answered without a refresh token", host)
	}
	return out.RefreshToken, registryExpiry(out.RefreshToken, e.Now()), nil
}

// registryExpiry is when a refresh token stops being served from the
// cache, on our clock. exp is on the registry's clock: when the token also
// says when it was issued, the lifetime exp-iat counted from now is used
// if it ends sooner, so a registry clock that runs ahead cannot keep a
// dead token cached for as long as it is ahead.
func registryExpiry(token string, now time.Time) time.Time {
	c, err := peekClaims(token)
	if err != nil || c.Exp <= 0 {
		return now.Add(defaultRegistryLifetime)
	}
	exp := time.Unix(c.Exp, 0)
	if c.Iat > 0 && c.Exp > c.Iat {
		if local := now.Add(time.Duration(c.Exp-c.Iat) * time.Second); local.Before(exp) {
			exp = local
		}
	}
	return exp
}

// exchangeError names the likely cause of a refused exchange.
func exchangeError(host string, status int) error {
	hint := "check that the context's account may pull from this registry (AcrPull role)"
	switch {
	case status == http.StatusNotFound:
		hint = "check the registry name: it has no /oauth2/exchange"
	case status >= 300 && status < 400:
		hint = "check the registry name: its token exchange redirects elsewhere"
	case status >= 500:
		hint = "the registry is failing; try again later"
	}
	return WithHint(fmt.Errorf("registry %s refused the token exchange: HTTP %d", host, status), "%s", hint)
}

// noRedirects is c, except that a redirect is answered as it came.
func noRedirects(c *http.Client) *http.Client {
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// acrDetail keeps the first line of s, at most n bytes.
func acrDetail(s string, n int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > n {
		s = s[:n]
	}
	return s
}
