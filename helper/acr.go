package helper

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/azcred/azcred/store"
)

// RegistryUser is the user name ACR pairs with a refresh token.
const RegistryUser = "00000000-0000-0000-0000-000000000000"

// RegistryKey is the vault key of a cached ACR refresh token.
func RegistryKey(r *Resolved, host string) string {
	return r.Context.AccountKey() + "|" + strings.ToLower(r.Tenant) + "|" + strings.ToLower(host)
}

// RegistryToken returns an ACR refresh token for host: cached until
// shortly before it expires, else a fresh Entra token exchanged at
// https://HOST/oauth2/exchange. Concurrent callers share one exchange.
func (e *Engine) RegistryToken(ctx context.Context, r *Resolved, host string) (*Token, error) {
	key := RegistryKey(r, host)
	if t, ok := e.cachedRegistry(r, key); ok {
		return t, nil
	}
	ctx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	sum := sha256.Sum256([]byte(key))
	unlock, err := r.Store.LockKey(ctx, "acr-"+hex.EncodeToString(sum[:12]))
	if err != nil {
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
	sec, err := r.Store.Secrets()
	if err != nil {
		return nil, false
	}
	t, ok := sec.Registries[key]
	if !ok || t.ExpiresOn.Sub(e.Now()) < e.MinTTL {
		return nil, false
	}
	e.Debugf("registry token cache hit, expires %s", t.ExpiresOn.Format(time.RFC3339))
	return &Token{AccessToken: t.RefreshToken, ExpiresOn: t.ExpiresOn, Tenant: r.Tenant, FromCache: true}, true
}

// exchange trades an Entra access token for an ACR refresh token
// (https://github.com/Azure/acr/blob/main/docs/AAD-OAuth.md).
func (e *Engine) exchange(ctx context.Context, host, tenant, aadToken string) (string, time.Time, error) {
	form := url.Values{"grant_type": {"access_token"}, "service": {host}, "tenant": {tenant}, "access_token": {aadToken}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+host+"/oauth2/exchange", strings.NewReader(form.Encode()))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("registry %s: %w", host, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := e.HTTP.Do(req)
	if err != nil {
		if isTimeout(err) || errors.Is(err, context.DeadlineExceeded) {
			return "", time.Time{}, WithHint(fmt.Errorf("registry %s did not answer within %s", host, e.Timeout), "check the network, or raise AZCRED_TIMEOUT")
		}
		return "", time.Time{}, WithHint(fmt.Errorf("cannot reach registry %s: %s", host, shortNetErr(err)), "check the registry name and the network")
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		hint := "check that the context's account may pull from this registry (AcrPull role)"
		if resp.StatusCode == http.StatusNotFound {
			hint = "check the registry name: it has no /oauth2/exchange"
		} else if resp.StatusCode >= 500 {
			hint = "the registry is failing; try again later"
		}
		return "", time.Time{}, WithHint(fmt.Errorf("registry %s refused the token exchange: HTTP %d", host, resp.StatusCode), "%s", hint)
	}
	var out struct {
		RefreshToken string `json:"refresh_token"`
	}
	if json.Unmarshal(body, &out) != nil || out.RefreshToken == "" {
		return "", time.Time{}, fmt.Errorf("registry %s: the token exchange answered without a refresh token", host)
	}
	exp := e.Now().Add(3 * time.Hour) // ACR's lifetime when the token does not say
	if c, err := peekClaims(out.RefreshToken); err == nil && c.Exp > 0 {
		exp = time.Unix(c.Exp, 0)
	}
	return out.RefreshToken, exp, nil
}
