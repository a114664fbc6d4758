package fakecloud

import (
	"time"
)

// issuer is the iss of every token the cloud issues for a tenant (the v2.0 form).
func (c *Cloud) issuer(tenant string) string { return c.AuthorityURL + "/" + tenant + "/v2.0" }

// userTokens makes the token response of a user grant: access token, id token, client_info
// and a new refresh token, with expires_in as a number as MSAL expects.
func (c *Cloud) userTokens(u *userRec, tenant, clientID, scope string, mfa bool) (map[string]any, *oauthError) {
	aud, scp, e := resourceOf(scope)
	if e != nil {
		return nil, e
	}
	now := time.Now()
	exp := now.Add(c.tokenLifetime())
	amr := []string{"pwd"}
	if mfa {
		amr = append(amr, "mfa")
	}
	at, err := c.Sign(map[string]any{
		"aud": aud, "iss": c.issuer(tenant), "tid": tenant,
		"oid": u.OID, "sub": u.OID, "upn": u.UPN, "preferred_username": u.UPN, "unique_name": u.UPN,
		"name": u.DisplayName, "appid": clientID, "azp": clientID, "idtyp": "user", "scp": scp,
		"amr": amr, "iat": now.Unix(), "nbf": now.Add(-5 * time.Minute).Unix(), "exp": exp.Unix(),
		"jti": newGUID(), "uti": randomHex(8), "ver": "2.0",
	})
	if err != nil {
		return nil, &oauthError{status: 500, code: "server_error", aadsts: 90033, description: "A transient error has occurred."}
	}
	id, err := c.Sign(map[string]any{
		"aud": clientID, "iss": c.issuer(tenant), "tid": tenant,
		"oid": u.OID, "sub": u.OID, "preferred_username": u.UPN, "name": u.DisplayName,
		"iat": now.Unix(), "nbf": now.Add(-5 * time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(),
		"ver": "2.0",
	})
	if err != nil {
		return nil, &oauthError{status: 500, code: "server_error", aadsts: 90033, description: "A transient error has occurred."}
	}
	rt := "fakecloud-rt-" + randomHex(24)
	c.record(rt)
	c.mu.Lock()
	c.dirState.refresh[rt] = &refreshGrant{upn: u.UPN, clientID: clientID, mfa: mfa, expires: now.Add(refreshTokenLifetime)}
	c.mu.Unlock()
	secs := int(exp.Sub(now).Round(time.Second) / time.Second)
	return map[string]any{
		"token_type":     "Bearer",
		"scope":          scope,
		"expires_in":     secs,
		"ext_expires_in": secs,
		"access_token":   at,
		"refresh_token":  rt,
		"id_token":       id,
		"client_info":    clientInfo(u),
	}, nil
}

// appToken issues an access token for a service principal or managed identity; extra claims
// are merged in.
func (c *Cloud) appToken(tenant, clientID, oid, aud string, extra map[string]any) (string, time.Time, error) {
	now := time.Now()
	exp := now.Add(c.tokenLifetime())
	claims := map[string]any{
		"aud": aud, "iss": c.issuer(tenant), "tid": tenant,
		"oid": oid, "sub": oid, "appid": clientID, "azp": clientID, "idtyp": "app",
		"iat": now.Unix(), "nbf": now.Add(-5 * time.Minute).Unix(), "exp": exp.Unix(),
		"jti": newGUID(), "uti": randomHex(8), "ver": "2.0",
	}
	for k, v := range extra {
		claims[k] = v
	}
	tok, err := c.Sign(claims)
	return tok, exp, err
}
