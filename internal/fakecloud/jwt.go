package fakecloud

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are the parts of a verified token that services check.
type Claims struct {
	Audience string
	Tenant   string // tid
	ObjectID string // oid
	Subject  string // sub
	UPN      string // upn, or preferred_username
	AppID    string // appid, or azp
	Issuer   string
	Scope    string // scp
	Expiry   time.Time
	Raw      map[string]any
}

// Sign issues an RS256 JWT with the cloud's key over claims, as is. It records the result as
// an issued secret.
func (c *Cloud) Sign(claims map[string]any) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims))
	t.Header["kid"] = c.keyID
	s, err := t.SignedString(c.signKey)
	if err != nil {
		return "", fmt.Errorf("fakecloud: sign: %w", err)
	}
	c.record(s)
	return s, nil
}

// Verify checks the signature, exp and nbf of a token the cloud issued and that its aud equals
// audience (compared with and without a trailing slash); it returns the claims. An empty
// audience skips the audience check.
func (c *Cloud) Verify(token, audience string) (*Claims, error) {
	mc := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, mc, func(*jwt.Token) (any, error) { return &c.signKey.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithExpirationRequired(), jwt.WithLeeway(5*time.Second))
	if err != nil {
		return nil, fmt.Errorf("fakecloud: invalid token: %w", err)
	}
	cl := claimsFrom(mc)
	if audience != "" && !sameAudience(cl.Audience, audience) {
		return nil, fmt.Errorf("fakecloud: token audience %q is not %q", cl.Audience, audience)
	}
	return cl, nil
}

func claimsFrom(mc jwt.MapClaims) *Claims {
	str := func(k string) string { s, _ := mc[k].(string); return s }
	first := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	cl := &Claims{
		Tenant:   str("tid"),
		ObjectID: str("oid"),
		Subject:  str("sub"),
		UPN:      first(str("upn"), str("preferred_username")),
		AppID:    first(str("appid"), str("azp")),
		Issuer:   str("iss"),
		Scope:    str("scp"),
		Raw:      mc,
	}
	if aud, err := mc.GetAudience(); err == nil && len(aud) > 0 {
		cl.Audience = aud[0]
	}
	if exp, err := mc.GetExpirationTime(); err == nil && exp != nil {
		cl.Expiry = exp.Time
	}
	return cl
}

func sameAudience(a, b string) bool {
	return a != "" && strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}

// jwks is the key set published at /{tenant}/discovery/v2.0/keys, so that a client can verify
// tokens the way it would against Entra ID.
func (c *Cloud) jwks() map[string]any {
	pub := c.signKey.PublicKey
	b64 := base64.RawURLEncoding.EncodeToString
	return map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": c.keyID,
		"n": b64(pub.N.Bytes()),
		"e": b64(big.NewInt(int64(pub.E)).Bytes()),
	}}}
}
