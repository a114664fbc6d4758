package fakecloud

import (
	"crypto/sha1" //nolint:gosec // x5t is defined as a SHA-1 thumbprint
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
	"time"
)

// Tenant is a directory.
type Tenant struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name,omitempty"`
}

// User is a member of HomeTenant and a guest of Tenants. AddUser fills OID when empty.
type User struct {
	UPN         string   `json:"upn"`
	HomeTenant  string   `json:"home_tenant"`
	Tenants     []string `json:"tenants,omitempty"`
	OID         string   `json:"oid,omitempty"`
	DisplayName string   `json:"display_name,omitempty"`
}

// SP is an app registration with its service principal in Tenant. It authenticates with
// Secret, with a client assertion signed by the key of CertPEM, or, when Federated, with a JWT
// from FederatedToken. AddServicePrincipal fills OID when empty.
type SP struct {
	Tenant    string
	ClientID  string
	Secret    string
	CertPEM   []byte
	Federated bool
	OID       string
}

// MI is a managed identity: system-assigned when ClientID is empty (AddManagedIdentity then
// gives it a generated client id, which the token reply carries).
type MI struct {
	ClientID string `json:"client_id,omitempty"`
	Tenant   string `json:"tenant,omitempty"`
	OID      string `json:"oid,omitempty"`
	// System is set by AddManagedIdentity for the system-assigned identity.
	System bool `json:"-"`
}

// Subscription is visible to every principal of its tenant. State defaults to "Enabled".
type Subscription struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Tenant string `json:"tenant"`
	State  string `json:"state,omitempty"`
}

// Registry is an Azure Container Registry in a subscription.
type Registry struct {
	SubscriptionID string `json:"subscription"`
	Name           string `json:"name"`
	LoginServer    string `json:"login_server"`
}

type userRec struct {
	User
	requireClaims bool
}

type spRec struct {
	SP
	cert    *x509.Certificate
	x5t     string // base64 SHA-1 of the certificate, as MSAL and Entra spell it
	x5tS256 string // base64 SHA-256
	fedSubj string // the subject FederatedToken issues for this app
}

// directory is the seeded state plus the grants in flight; Cloud.mu guards it.
type directory struct {
	tenants       map[string]*Tenant // by lower-case id
	tenantOrder   []string
	users         map[string]*userRec // by lower-case UPN
	sps           map[string]*spRec   // by lower-case client id
	mis           map[string]*MI      // by lower-case client id; "" is the system-assigned one
	subs          []Subscription
	registries    []Registry
	clusters      []ManagedCluster
	interactive   string
	refresh       map[string]*refreshGrant
	codes         map[string]*authCode
	devices       map[string]*deviceGrant // by device code
	devicePending int                     // authorization_pending answers before auto-approval; <0 never
}

func newDirectory() directory {
	return directory{
		tenants:       map[string]*Tenant{},
		users:         map[string]*userRec{},
		sps:           map[string]*spRec{},
		mis:           map[string]*MI{},
		refresh:       map[string]*refreshGrant{},
		codes:         map[string]*authCode{},
		devices:       map[string]*deviceGrant{},
		devicePending: 1,
	}
}

// AddTenant adds (or renames) a tenant.
func (c *Cloud) AddTenant(id, displayName string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addTenantLocked(id, displayName)
}

func (c *Cloud) addTenantLocked(id, displayName string) {
	d := &c.dirState
	if displayName == "" {
		displayName = id
	}
	key := strings.ToLower(id)
	if t, ok := d.tenants[key]; ok {
		t.DisplayName = displayName
		return
	}
	d.tenants[key] = &Tenant{ID: id, DisplayName: displayName}
	d.tenantOrder = append(d.tenantOrder, key)
}

// Tenants lists the tenants in the order they were added.
func (c *Cloud) Tenants() []Tenant {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Tenant
	for _, k := range c.dirState.tenantOrder {
		out = append(out, *c.dirState.tenants[k])
	}
	return out
}

// AddUser adds a user, creating any tenant it names that does not exist yet, and returns it
// with its OID. The home tenant is always among Tenants.
func (c *Cloud) AddUser(u User) User {
	c.mu.Lock()
	defer c.mu.Unlock()
	if u.OID == "" {
		u.OID = newGUID()
	}
	if u.DisplayName == "" {
		u.DisplayName = strings.SplitN(u.UPN, "@", 2)[0]
	}
	tenants := []string{u.HomeTenant}
	for _, t := range u.Tenants {
		if !strings.EqualFold(t, u.HomeTenant) {
			tenants = append(tenants, t)
		}
	}
	u.Tenants = tenants
	for _, t := range tenants {
		if _, ok := c.dirState.tenants[strings.ToLower(t)]; !ok {
			c.addTenantLocked(t, "")
		}
	}
	c.dirState.users[strings.ToLower(u.UPN)] = &userRec{User: u}
	return u
}

// SetInteractiveUser names the user that device code and browser sign-ins sign in.
func (c *Cloud) SetInteractiveUser(upn string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dirState.interactive = upn
}

// AddServicePrincipal registers an app and its service principal and returns it with its OID.
// The secret, if any, is recorded as an issued secret.
func (c *Cloud) AddServicePrincipal(sp SP) (SP, error) {
	rec := &spRec{SP: sp}
	if len(sp.CertPEM) > 0 {
		block, _ := pem.Decode(sp.CertPEM)
		if block == nil || block.Type != "CERTIFICATE" {
			return SP{}, fmt.Errorf("fakecloud: service principal %s: no PEM certificate", sp.ClientID)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return SP{}, fmt.Errorf("fakecloud: service principal %s: %w", sp.ClientID, err)
		}
		s1 := sha1.Sum(cert.Raw) //nolint:gosec
		s256 := sha256.Sum256(cert.Raw)
		rec.cert = cert
		rec.x5t = base64.StdEncoding.EncodeToString(s1[:])
		rec.x5tS256 = base64.StdEncoding.EncodeToString(s256[:])
	}
	if rec.OID == "" {
		rec.OID = newGUID()
	}
	rec.fedSubj = "system:serviceaccount:fakecloud:" + strings.ToLower(sp.ClientID)
	c.record(sp.Secret)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.dirState.tenants[strings.ToLower(sp.Tenant)]; !ok {
		c.addTenantLocked(sp.Tenant, "")
	}
	c.dirState.sps[strings.ToLower(sp.ClientID)] = rec
	return rec.SP, nil
}

// AddManagedIdentity registers a managed identity (system-assigned when ClientID is empty) and
// returns it with its generated ids. Tenant defaults to the first tenant.
func (c *Cloud) AddManagedIdentity(mi MI) MI {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := strings.ToLower(mi.ClientID)
	if mi.ClientID == "" {
		mi.ClientID, mi.System = newGUID(), true
	}
	if mi.OID == "" {
		mi.OID = newGUID()
	}
	if mi.Tenant == "" && len(c.dirState.tenantOrder) > 0 {
		mi.Tenant = c.dirState.tenants[c.dirState.tenantOrder[0]].ID
	}
	c.dirState.mis[key] = &mi
	return mi
}

// AddSubscription adds a subscription, creating its tenant if needed.
func (c *Cloud) AddSubscription(s Subscription) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.State == "" {
		s.State = "Enabled"
	}
	if _, ok := c.dirState.tenants[strings.ToLower(s.Tenant)]; !ok {
		c.addTenantLocked(s.Tenant, "")
	}
	c.dirState.subs = append(c.dirState.subs, s)
}

// AddRegistry adds a container registry to a subscription.
func (c *Cloud) AddRegistry(subscriptionID, name, loginServer string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dirState.registries = append(c.dirState.registries, Registry{SubscriptionID: subscriptionID, Name: name, LoginServer: loginServer})
}

// Registries lists the registries added so far (for the fake ACR).
func (c *Cloud) Registries() []Registry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Registry(nil), c.dirState.registries...)
}

// AddRefreshToken makes rt a valid refresh token of the user for clientID, as if an
// earlier sign-in had issued it (e.g. one saved in another tool's token cache). It is
// recorded as an issued secret.
func (c *Cloud) AddRefreshToken(upn, clientID, rt string) {
	c.record(rt)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dirState.refresh[rt] = &refreshGrant{upn: upn, clientID: clientID, expires: time.Now().Add(refreshTokenLifetime)}
}

// Revoke invalidates every refresh token of the user: the next refresh fails with
// invalid_grant AADSTS50173.
func (c *Cloud) Revoke(upn string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, g := range c.dirState.refresh {
		if strings.EqualFold(g.upn, upn) {
			g.revoked = true
		}
	}
}

// ExpireRefreshTokens makes every refresh token of the user expired: the next refresh fails
// with invalid_grant AADSTS70008.
func (c *Cloud) ExpireRefreshTokens(upn string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, g := range c.dirState.refresh {
		if strings.EqualFold(g.upn, upn) {
			g.expires = time.Now().Add(-time.Minute)
		}
	}
}

// RequireClaims turns on a conditional access policy for the user: refreshes answer
// interaction_required with a claims challenge until the user signs in interactively again
// (device code or browser), whose refresh tokens then satisfy it.
func (c *Cloud) RequireClaims(upn string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if u, ok := c.dirState.users[strings.ToLower(upn)]; ok {
		u.requireClaims = true
		for _, g := range c.dirState.refresh {
			if strings.EqualFold(g.upn, upn) {
				g.mfa = false
			}
		}
	}
}

// ClearClaims turns RequireClaims off again.
func (c *Cloud) ClearClaims(upn string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if u, ok := c.dirState.users[strings.ToLower(upn)]; ok {
		u.requireClaims = false
	}
}

// FederatedToken returns a JWT that the token endpoint accepts as a federated client
// assertion for clientID (a service principal added with Federated), like the file a workload
// identity webhook writes. It is valid for the cloud's token lifetime.
func (c *Cloud) FederatedToken(clientID string) string {
	now := time.Now()
	tok, err := c.Sign(map[string]any{
		"iss": c.federationIssuer(),
		"sub": "system:serviceaccount:fakecloud:" + strings.ToLower(clientID),
		"aud": "api://AzureADTokenExchange",
		"iat": now.Unix(),
		"nbf": now.Add(-time.Minute).Unix(),
		"exp": now.Add(c.tokenLifetime()).Unix(),
		"jti": newGUID(),
	})
	if err != nil {
		panic(err) // signing with an in-memory RSA key does not fail
	}
	return tok
}

func (c *Cloud) federationIssuer() string { return c.AuthorityURL + "/federation" }

// tenantByID finds a tenant by id, case-insensitively (MSAL lower-cases the authority).
func (d *directory) tenantByID(id string) (*Tenant, bool) {
	t, ok := d.tenants[strings.ToLower(id)]
	return t, ok
}

func (u *userRec) inTenant(id string) bool {
	for _, t := range u.Tenants {
		if strings.EqualFold(t, id) {
			return true
		}
	}
	return false
}
