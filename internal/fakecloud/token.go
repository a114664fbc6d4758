package fakecloud

import (
	"net/http"
	"strings"
	"time"
)

// Grant types (RFC 6749, RFC 8628 and Entra's client assertion type).
const (
	grantClientCredentials = "client_credentials"
	grantRefreshToken      = "refresh_token"
	grantAuthCode          = "authorization_code"
	grantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	grantDeviceCodeShort   = "device_code" // what MSAL Go sends; Entra accepts both
	assertionTypeJWT       = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

type refreshGrant struct {
	upn      string
	clientID string
	mfa      bool // issued by an interactive sign-in that satisfied RequireClaims
	revoked  bool
	expires  time.Time
}

const refreshTokenLifetime = 90 * 24 * time.Hour

// token is /{tenant}/oauth2/v2.0/token.
func (c *Cloud) token(w http.ResponseWriter, r *http.Request) {
	seg := r.PathValue("tenant")
	if e, ok := c.checkTenant(seg); !ok {
		e.write(w)
		return
	}
	if err := r.ParseForm(); err != nil {
		errBadRequest(900144, "The request body must contain the following parameter: 'grant_type'.").write(w)
		return
	}
	f := r.PostForm
	clientID := f.Get("client_id")
	if clientID == "" {
		errBadRequest(900144, "The request body must contain the following parameter: 'client_id'.").write(w)
		return
	}
	switch gt := f.Get("grant_type"); gt {
	case grantClientCredentials:
		c.clientCredentials(w, r, seg)
	case grantRefreshToken:
		c.userGrant(w, r, seg, func() (string, bool, *oauthError) { return c.useRefreshToken(f.Get("refresh_token"), clientID) })
	case grantAuthCode:
		c.userGrant(w, r, seg, func() (string, bool, *oauthError) {
			upn, e := c.redeemCode(f.Get("code"), clientID, f.Get("redirect_uri"), f.Get("code_verifier"))
			return upn, true, e
		})
	case grantDeviceCode, grantDeviceCodeShort:
		c.userGrant(w, r, seg, func() (string, bool, *oauthError) {
			upn, e := c.pollDevice(f.Get("device_code"), clientID)
			return upn, true, e
		})
	default:
		oauthError{code: "unsupported_grant_type", aadsts: 70003,
			description: "The app requested an unsupported grant type '" + gt + "'."}.write(w)
	}
}

// clientCredentials issues an app token to a service principal of the path's tenant.
func (c *Cloud) clientCredentials(w http.ResponseWriter, r *http.Request, seg string) {
	if isMetaTenant(seg) {
		errBadRequest(900023, "Specified tenant identifier '%s' is neither a valid DNS name, nor a valid external domain.", seg).write(w)
		return
	}
	sp, e := c.authenticateClient(r, seg, true)
	if e != nil {
		e.write(w)
		return
	}
	scope := r.PostForm.Get("scope")
	if !isDefaultScope(scope) {
		oauthError{code: "invalid_scope", aadsts: 1002012, description: "The provided value for scope " + scope + " is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."}.write(w)
		return
	}
	aud, _, e := resourceOf(scope)
	if e != nil {
		e.write(w)
		return
	}
	c.mu.Lock()
	tenant, _ := c.dirState.tenantByID(seg)
	c.mu.Unlock()
	tok, exp, err := c.appToken(tenant.ID, sp.ClientID, sp.OID, aud, nil)
	if err != nil {
		oauthError{status: 500, code: "server_error", aadsts: 90033, description: "A transient error has occurred."}.write(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type":     "Bearer",
		"expires_in":     int(time.Until(exp).Round(time.Second) / time.Second),
		"ext_expires_in": int(time.Until(exp).Round(time.Second) / time.Second),
		"access_token":   tok,
	})
}

// userGrant runs the grant-specific check, then the checks every user grant shares, and
// issues the user's tokens.
func (c *Cloud) userGrant(w http.ResponseWriter, r *http.Request, seg string, check func() (upn string, mfa bool, e *oauthError)) {
	f := r.PostForm
	// A confidential client redeeming a user grant must still prove who it is.
	if f.Get("client_secret") != "" || f.Get("client_assertion") != "" {
		if _, e := c.authenticateClient(r, seg, false); e != nil {
			e.write(w)
			return
		}
	}
	upn, mfa, e := check()
	if e != nil {
		e.write(w)
		return
	}
	c.mu.Lock()
	u, ok := c.dirState.users[strings.ToLower(upn)]
	var user userRec
	if ok {
		user = *u
	}
	c.mu.Unlock()
	if !ok {
		errInvalidGrant(50034, "The user account %s does not exist in the directory.", upn).write(w)
		return
	}
	if user.requireClaims && !mfa {
		oauthError{code: "interaction_required", aadsts: 50076, suberror: "basic_action",
			description: "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.",
			claims:      `{"access_token":{"capolids":{"essential":true,"values":["fakecloud-mfa-policy"]}}}`}.write(w)
		return
	}
	tenant := user.HomeTenant
	if !isMetaTenant(seg) {
		if !user.inTenant(seg) {
			errInvalidGrant(50020, "User account '%s' from identity provider 'fakecloud' does not exist in tenant '%s' and cannot access the application '%s' in that tenant.", upn, seg, f.Get("client_id")).write(w)
			return
		}
		c.mu.Lock()
		t, _ := c.dirState.tenantByID(seg)
		tenant = t.ID
		c.mu.Unlock()
	}
	resp, err := c.userTokens(&user, tenant, f.Get("client_id"), f.Get("scope"), mfa)
	if err != nil {
		err.write(w)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// useRefreshToken checks a refresh token; refresh tokens are not bound to a resource or a
// tenant of the user, as in Entra.
func (c *Cloud) useRefreshToken(rt, clientID string) (string, bool, *oauthError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g, ok := c.dirState.refresh[rt]
	var e oauthError
	switch {
	case !ok:
		e = errInvalidGrant(9002313, "Invalid request. Request is malformed or invalid.")
	case g.revoked:
		e = errInvalidGrant(50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.")
	case time.Now().After(g.expires):
		e = errInvalidGrant(70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.")
	case g.clientID != clientID:
		e = errInvalidGrant(70000, "Provided grant is invalid or malformed: the refresh token was issued to a different client.")
	default:
		return g.upn, g.mfa, nil
	}
	return "", false, &e
}
