package fakecloud

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The interactive flows (device code and browser) sign in whoever SetInteractiveUser named;
// there are no pages to fill in.

type authCode struct {
	upn       string
	clientID  string
	redirect  string
	challenge string
	method    string
	expires   time.Time
}

type deviceGrant struct {
	clientID string
	userCode string
	upn      string // set when approved
	pending  int    // authorization_pending answers left before auto-approval; <0 never
	expires  time.Time
}

const deviceCodeLifetime = 15 * time.Minute

// SetDeviceCodeApproval sets how many times a device code poll answers authorization_pending
// before the interactive user approves it by itself (default 1). Negative: never by itself;
// approve with ApproveDeviceCode or a GET of verification_uri?otc=CODE.
func (c *Cloud) SetDeviceCodeApproval(pendingPolls int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dirState.devicePending = pendingPolls
}

// ApproveDeviceCode signs the interactive user in for the device code with this user code.
func (c *Cloud) ApproveDeviceCode(userCode string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.approveLocked(userCode)
}

func (c *Cloud) approveLocked(userCode string) error {
	upn := c.dirState.interactive
	if upn == "" {
		return fmt.Errorf("fakecloud: no interactive user")
	}
	for _, g := range c.dirState.devices {
		if strings.EqualFold(g.userCode, userCode) {
			g.upn = upn
			return nil
		}
	}
	return fmt.Errorf("fakecloud: device code %s: %w", userCode, errNotFound)
}

// deviceCode starts a device code flow (RFC 8628 section 3.2, Entra's field names).
func (c *Cloud) deviceCode(w http.ResponseWriter, r *http.Request) {
	seg := r.PathValue("tenant")
	if e, ok := c.checkTenant(seg); !ok {
		e.write(w)
		return
	}
	if err := r.ParseForm(); err != nil {
		errBadRequest(900144, "The request body must contain the following parameter: 'client_id'.").write(w)
		return
	}
	clientID := r.PostForm.Get("client_id")
	if clientID == "" {
		errBadRequest(900144, "The request body must contain the following parameter: 'client_id'.").write(w)
		return
	}
	if _, _, e := resourceOf(r.PostForm.Get("scope")); e != nil {
		e.write(w)
		return
	}
	device := "fakecloud-dc-" + randomHex(24)
	user := "FAKE" + strings.ToUpper(randomHex(3))
	c.record(device)
	c.mu.Lock()
	c.dirState.devices[device] = &deviceGrant{
		clientID: clientID, userCode: user,
		pending: c.dirState.devicePending,
		expires: time.Now().Add(deviceCodeLifetime),
	}
	c.mu.Unlock()
	verify := c.AuthorityURL + "/devicelogin"
	writeJSON(w, http.StatusOK, map[string]any{
		"user_code":        user,
		"device_code":      device,
		"verification_uri": verify,
		"expires_in":       int(deviceCodeLifetime / time.Second),
		"interval":         1,
		"message":          fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", verify, user),
	})
}

// deviceLogin is the verification page: GET ?otc=CODE approves as the interactive user.
func (c *Cloud) deviceLogin(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	err := c.approveLocked(r.URL.Query().Get("otc"))
	c.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("fakecloud: signed in; you may close this window\n")) //nolint:errcheck
}

// pollDevice answers a device_code grant: the user, or an error to send.
func (c *Cloud) pollDevice(device, clientID string) (string, *oauthError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g, ok := c.dirState.devices[device]
	switch {
	case !ok || g.clientID != clientID:
		e := errInvalidGrant(70000, "Provided grant is invalid or malformed.")
		return "", &e
	case time.Now().After(g.expires):
		delete(c.dirState.devices, device)
		e := oauthError{code: "expired_token", aadsts: 70019, description: "Verification code expired."}
		return "", &e
	}
	if g.upn == "" && g.pending == 0 {
		if c.dirState.interactive == "" {
			delete(c.dirState.devices, device)
			e := oauthError{code: "authorization_declined", aadsts: 70000, description: "The end user denied the authorization request."}
			return "", &e
		}
		g.upn = c.dirState.interactive
	}
	if g.upn == "" {
		if g.pending > 0 {
			g.pending--
		}
		e := oauthError{code: "authorization_pending", aadsts: 70016, description: "OAuth 2.0 device flow error. Authorization is pending. Continue polling."}
		return "", &e
	}
	delete(c.dirState.devices, device) // a device code is redeemed once
	return g.upn, nil
}

// authorize is the browser sign-in: it redirects straight back to redirect_uri with a code
// for the interactive user, or with error=access_denied when there is none.
func (c *Cloud) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if e, ok := c.checkTenant(r.PathValue("tenant")); !ok {
		e.write(w)
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || q.Get("redirect_uri") == "" || redirect.Scheme == "" {
		errBadRequest(50011, "The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application.", q.Get("redirect_uri")).write(w)
		return
	}
	if q.Get("client_id") == "" || q.Get("response_type") != "code" {
		errBadRequest(900144, "The request body must contain the following parameter: 'client_id' and response_type=code.").write(w)
		return
	}
	method := q.Get("code_challenge_method")
	if q.Get("code_challenge") != "" && method != "S256" && method != "plain" && method != "" {
		errBadRequest(5000201, "Unsupported code_challenge_method '%s'.", method).write(w)
		return
	}
	back := url.Values{}
	if q.Get("response_mode") != "form_post" {
		back = redirect.Query()
	}
	if s := q.Get("state"); s != "" {
		back.Set("state", s)
	}
	c.mu.Lock()
	upn := c.dirState.interactive
	if upn == "" {
		c.mu.Unlock()
		back.Set("error", "access_denied")
		back.Set("error_description", "AADSTS50126: fakecloud has no interactive user.")
	} else {
		code := "fakecloud-code-" + randomHex(24)
		c.dirState.codes[code] = &authCode{
			upn: upn, clientID: q.Get("client_id"), redirect: q.Get("redirect_uri"),
			challenge: q.Get("code_challenge"), method: method,
			expires: time.Now().Add(10 * time.Minute),
		}
		u := c.dirState.users[strings.ToLower(upn)]
		c.mu.Unlock()
		c.record(code)
		back.Set("code", code)
		if u != nil {
			back.Set("client_info", clientInfo(u))
		}
		back.Set("session_state", newGUID())
	}
	if q.Get("response_mode") == "form_post" {
		// MSAL Go 1.10 asks for form_post and its loopback listener accepts only POST, so
		// answer as Entra does: a page that posts the result back (see Browse).
		writeFormPost(w, redirect.String(), back)
		return
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// redeemCode checks an authorization_code grant (including PKCE, RFC 7636 section 4.6).
func (c *Cloud) redeemCode(code, clientID, redirect, verifier string) (string, *oauthError) {
	c.mu.Lock()
	g, ok := c.dirState.codes[code]
	delete(c.dirState.codes, code) // a code is redeemed once, even by a failed attempt
	c.mu.Unlock()
	fail := func(aadsts int, msg string) (string, *oauthError) {
		e := errInvalidGrant(aadsts, "%s", msg)
		return "", &e
	}
	switch {
	case !ok:
		return fail(70000, "Provided grant is invalid or malformed.")
	case time.Now().After(g.expires):
		return fail(70008, "The provided authorization code or refresh token has expired due to inactivity.")
	case g.clientID != clientID:
		return fail(70000, "The code was issued to a different client.")
	case g.redirect != redirect:
		return fail(500112, "The reply address does not match the reply address provided when requesting the authorization code.")
	case g.challenge != "" && !pkceMatches(g.challenge, g.method, verifier):
		return fail(501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.")
	}
	return g.upn, nil
}
