package fakecloud

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// authenticateClient checks a confidential client's credential: client_secret, a client
// assertion signed with the registered certificate (MSAL: PS256 with x5t#S256; ADFS-style
// RS256 with x5t is accepted too), or a federated assertion issued by FederatedToken.
// The service principal must live in the path's tenant unless the tenant is "common" or
// "organizations" (only allowed for user grants). required says whether a missing credential
// is an error.
func (c *Cloud) authenticateClient(r *http.Request, seg string, required bool) (*spRec, *oauthError) {
	f := r.PostForm
	clientID := f.Get("client_id")
	c.mu.Lock()
	sp, ok := c.dirState.sps[strings.ToLower(clientID)]
	c.mu.Unlock()
	if !ok || (!isMetaTenant(seg) && !strings.EqualFold(sp.Tenant, seg)) {
		e := errUnknownApp(clientID, seg)
		return nil, &e
	}
	secret, assertion := f.Get("client_secret"), f.Get("client_assertion")
	switch {
	case secret != "":
		if sp.Secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(sp.Secret)) != 1 {
			e := errInvalidSecret(clientID)
			return nil, &e
		}
		return sp, nil
	case assertion != "":
		if f.Get("client_assertion_type") != assertionTypeJWT {
			e := errBadRequest(700025, "Client assertion type is not 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.")
			return nil, &e
		}
		if e := c.checkAssertion(sp, assertion, r); e != nil {
			return nil, e
		}
		return sp, nil
	case required:
		e := errInvalidClient(7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
		return nil, &e
	}
	return sp, nil
}

func (c *Cloud) checkAssertion(sp *spRec, assertion string, r *http.Request) *oauthError {
	unverified, _, err := jwt.NewParser().ParseUnverified(assertion, jwt.MapClaims{})
	if err != nil {
		e := errInvalidClient(50027, "JWT token is invalid or malformed.")
		return &e
	}
	if iss, _ := unverified.Claims.GetIssuer(); iss == c.federationIssuer() {
		return c.checkFederated(sp, assertion)
	}
	if sp.cert == nil {
		e := errInvalidClient(700027, "The certificate with identifier used to sign the client assertion is not registered on application.")
		return &e
	}
	x5tS256, _ := unverified.Header["x5t#S256"].(string)
	x5t, _ := unverified.Header["x5t"].(string)
	if !thumbprintMatches(x5tS256, sp.x5tS256) && !thumbprintMatches(x5t, sp.x5t) {
		e := errInvalidClient(700027, "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found.]")
		return &e
	}
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(assertion, claims, func(*jwt.Token) (any, error) { return sp.cert.PublicKey, nil },
		jwt.WithValidMethods([]string{"PS256", "RS256", "ES256"}), jwt.WithExpirationRequired(), jwt.WithLeeway(time.Minute))
	if err != nil {
		e := errInvalidClient(700027, "Client assertion failed signature validation.")
		return &e
	}
	iss, _ := claims.GetIssuer()
	sub, _ := claims.GetSubject()
	aud, _ := claims.GetAudience()
	if !strings.EqualFold(iss, sp.ClientID) || !strings.EqualFold(sub, sp.ClientID) {
		e := errInvalidClient(700021, "Client assertion application identifier doesn't match 'client_id' parameter.")
		return &e
	}
	// MSAL sets aud to the token endpoint it called.
	endpoint := "https://" + r.Host + r.URL.Path
	if len(aud) == 0 || !strings.EqualFold(aud[0], endpoint) {
		e := errInvalidClient(700212, "No matching federated identity record found for presented assertion audience.")
		return &e
	}
	return nil
}

func (c *Cloud) checkFederated(sp *spRec, assertion string) *oauthError {
	if !sp.Federated {
		e := errInvalidClient(70021, "No matching federated identity record found for presented assertion.")
		return &e
	}
	cl, err := c.Verify(assertion, "api://AzureADTokenExchange")
	if err != nil {
		var e oauthError
		if strings.Contains(err.Error(), "expired") {
			e = errInvalidClient(700024, "Client assertion is not within its valid time range.")
		} else {
			e = errInvalidClient(700211, "No matching federated identity record found for presented assertion issuer.")
		}
		return &e
	}
	if cl.Subject != sp.fedSubj {
		e := errInvalidClient(70021, "No matching federated identity record found for presented assertion subject.")
		return &e
	}
	return nil
}

// thumbprintMatches compares base64 thumbprints, accepting either padding style and the URL
// alphabet.
func thumbprintMatches(got, want string) bool {
	norm := func(s string) string {
		s = strings.TrimRight(s, "=")
		return strings.NewReplacer("-", "+", "_", "/").Replace(s)
	}
	return got != "" && want != "" && norm(got) == norm(want)
}
