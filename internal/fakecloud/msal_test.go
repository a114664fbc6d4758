package fakecloud_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/managedidentity"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/azcred/azcred/internal/fakecloud"
)

// These tests drive the real MSAL Go clients azcred uses against the fake: if MSAL accepts
// the fake's answers, azcred will too.

const (
	tenantA     = "aaaaaaaa-0000-4000-8000-00000000000a"
	tenantB     = "bbbbbbbb-0000-4000-8000-00000000000b"
	publicApp   = "1950a258-227b-4e31-a9cf-717495945fc2" // Azure PowerShell's public client id
	spClientID  = "5b5b5b5b-0000-4000-8000-000000000005"
	spSecret    = "fake-sp-secret-value"
	armScope    = "https://management.core.windows.net//.default"
	armAudience = "https://management.core.windows.net/"
	upn         = "alice@fake.example"
)

func startCloud(t *testing.T) *fakecloud.Cloud {
	t.Helper()
	c, err := fakecloud.Start(fakecloud.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	c.AddTenant(tenantA, "Fake Tenant A")
	c.AddTenant(tenantB, "Fake Tenant B")
	c.AddUser(fakecloud.User{UPN: upn, HomeTenant: tenantA, Tenants: []string{tenantB}})
	c.SetInteractiveUser(upn)
	return c
}

func ctx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newPublic(t *testing.T, c *fakecloud.Cloud, tenant string) public.Client {
	t.Helper()
	pca, err := public.New(publicApp,
		public.WithAuthority(c.AuthorityURL+"/"+tenant),
		public.WithInstanceDiscovery(false),
		public.WithHTTPClient(c.HTTPClient()))
	if err != nil {
		t.Fatal(err)
	}
	return pca
}

func deviceCodeLogin(t *testing.T, c *fakecloud.Cloud, pca public.Client) public.AuthResult {
	t.Helper()
	dc, err := pca.AcquireTokenByDeviceCode(ctx(t), []string{armScope})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dc.Result.Message, dc.Result.UserCode) {
		t.Errorf("device code message %q lacks the user code", dc.Result.Message)
	}
	res, err := dc.AuthenticationResult(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestPublicDeviceCodeAndRefresh(t *testing.T) {
	for _, tenant := range []string{tenantA, "organizations", "common"} {
		t.Run(tenant, func(t *testing.T) {
			c := startCloud(t)
			c.SetTokenLifetime(2 * time.Minute) // below MSAL's 5-minute margin: every silent call refreshes
			pca := newPublic(t, c, tenant)
			res := deviceCodeLogin(t, c, pca)
			if got := c.Count("token"); got < 2 {
				t.Errorf("token requests = %d, want at least 2 (one authorization_pending)", got)
			}
			cl, err := c.Verify(res.AccessToken, armAudience)
			if err != nil {
				t.Fatal(err)
			}
			if cl.UPN != upn || cl.Tenant != tenantA || cl.AppID != publicApp {
				t.Errorf("claims = %+v", cl)
			}
			// MSAL takes the realm from the authority, the home account id from client_info.
			if res.Account.PreferredUsername != upn || !strings.HasSuffix(res.Account.HomeAccountID, "."+tenantA) {
				t.Errorf("account = %+v", res.Account)
			}

			before := c.Count("token")
			again, err := pca.AcquireTokenSilent(ctx(t), []string{armScope}, public.WithSilentAccount(res.Account))
			if err != nil {
				t.Fatal(err)
			}
			if again.AccessToken == res.AccessToken || c.Count("token") != before+1 {
				t.Errorf("silent call did not refresh (token requests %d -> %d)", before, c.Count("token"))
			}

			// A guest tenant through the same refresh token.
			guest, err := pca.AcquireTokenSilent(ctx(t), []string{armScope}, public.WithSilentAccount(res.Account), public.WithTenantID(tenantB))
			if err != nil {
				t.Fatal(err)
			}
			if cl, err := c.Verify(guest.AccessToken, armAudience); err != nil || cl.Tenant != tenantB {
				t.Errorf("guest token: %v %+v", err, cl)
			}
		})
	}
}

func TestPublicLongLivedTokenIsCached(t *testing.T) {
	c := startCloud(t)
	pca := newPublic(t, c, tenantA)
	res := deviceCodeLogin(t, c, pca)
	c.ResetCounts()
	again, err := pca.AcquireTokenSilent(ctx(t), []string{armScope}, public.WithSilentAccount(res.Account))
	if err != nil {
		t.Fatal(err)
	}
	if again.AccessToken != res.AccessToken || c.Count("token") != 0 {
		t.Errorf("a one-hour token should come from MSAL's cache (token requests %d)", c.Count("token"))
	}
}

// browser is the fake browser: it delivers the authorize answer to MSAL's loopback listener
// without showing anything.
func browser(c *fakecloud.Cloud, errc chan<- error) func(string) error {
	return func(u string) error {
		go func() { errc <- fakecloud.Browse(context.Background(), c.HTTPClient(), u) }()
		return nil
	}
}

func TestPublicBrowserAuthCode(t *testing.T) {
	c := startCloud(t)
	pca := newPublic(t, c, "organizations")
	errc := make(chan error, 1)
	res, err := pca.AcquireTokenInteractive(ctx(t), []string{armScope}, public.WithOpenURL(browser(c, errc)))
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if _, err := c.Verify(res.AccessToken, armAudience); err != nil {
		t.Fatal(err)
	}
	if c.Count("authorize") != 1 {
		t.Errorf("authorize requests = %d", c.Count("authorize"))
	}
}

func TestPublicRefreshFailures(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(c *fakecloud.Cloud)
		want   []string
	}{
		{"revoked", func(c *fakecloud.Cloud) { c.Revoke(upn) }, []string{"invalid_grant", "AADSTS50173"}},
		{"expired", func(c *fakecloud.Cloud) { c.ExpireRefreshTokens(upn) }, []string{"invalid_grant", "AADSTS70008"}},
		{"claims", func(c *fakecloud.Cloud) { c.RequireClaims(upn) }, []string{"interaction_required", "AADSTS50076"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := startCloud(t)
			c.SetTokenLifetime(time.Minute)
			pca := newPublic(t, c, tenantA)
			res := deviceCodeLogin(t, c, pca)
			tt.break_(c)
			_, err := pca.AcquireTokenSilent(ctx(t), []string{armScope}, public.WithSilentAccount(res.Account))
			if err == nil {
				t.Fatal("silent refresh succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			// A new interactive sign-in heals every case.
			res = deviceCodeLogin(t, c, pca)
			if _, err := pca.AcquireTokenSilent(ctx(t), []string{armScope}, public.WithSilentAccount(res.Account)); err != nil {
				t.Errorf("after a new sign-in: %v", err)
			}
		})
	}
}

func TestPublicDeviceCodeWithoutInteractiveUser(t *testing.T) {
	c := startCloud(t)
	c.SetInteractiveUser("")
	dc, err := newPublic(t, c, tenantA).AcquireTokenByDeviceCode(ctx(t), []string{armScope})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dc.AuthenticationResult(ctx(t)); err == nil || !strings.Contains(err.Error(), "authorization_declined") {
		t.Errorf("err = %v, want authorization_declined", err)
	}
}

func TestPublicDeviceCodeManualApproval(t *testing.T) {
	c := startCloud(t)
	c.SetDeviceCodeApproval(-1)
	dc, err := newPublic(t, c, tenantA).AcquireTokenByDeviceCode(ctx(t), []string{armScope})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		resp, err := c.HTTPClient().Get(dc.Result.VerificationURL + "?otc=" + dc.Result.UserCode)
		if err == nil {
			resp.Body.Close()
		}
	}()
	if _, err := dc.AuthenticationResult(ctx(t)); err != nil {
		t.Fatal(err)
	}
}

func newConfidential(t *testing.T, c *fakecloud.Cloud, clientID string, cred confidential.Credential) confidential.Client {
	t.Helper()
	cca, err := confidential.New(c.AuthorityURL+"/"+tenantA, clientID, cred,
		confidential.WithInstanceDiscovery(false),
		confidential.WithHTTPClient(c.HTTPClient()))
	if err != nil {
		t.Fatal(err)
	}
	return cca
}

func TestConfidentialClient(t *testing.T) {
	c := startCloud(t)
	if _, err := c.AddServicePrincipal(fakecloud.SP{Tenant: tenantA, ClientID: spClientID, Secret: spSecret}); err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := c.NewCertificate("fake-sp-cert")
	if err != nil {
		t.Fatal(err)
	}
	const certApp, fedApp = "c0c0c0c0-0000-4000-8000-00000000000c", "f0f0f0f0-0000-4000-8000-00000000000f"
	if _, err := c.AddServicePrincipal(fakecloud.SP{Tenant: tenantA, ClientID: certApp, CertPEM: certPEM}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddServicePrincipal(fakecloud.SP{Tenant: tenantA, ClientID: fedApp, Federated: true}); err != nil {
		t.Fatal(err)
	}
	otherCert, otherKey, err := c.NewCertificate("not-registered")
	if err != nil {
		t.Fatal(err)
	}
	secret := func(s string) confidential.Credential {
		cred, err := confidential.NewCredFromSecret(s)
		if err != nil {
			t.Fatal(err)
		}
		return cred
	}
	cert := func(certPEM, keyPEM []byte) confidential.Credential {
		certs, key, err := confidential.CertFromPEM(append(append([]byte{}, certPEM...), keyPEM...), "")
		if err != nil {
			t.Fatal(err)
		}
		cred, err := confidential.NewCredFromCert(certs, key)
		if err != nil {
			t.Fatal(err)
		}
		return cred
	}
	assertion := func(tok string) confidential.Credential {
		return confidential.NewCredFromAssertionCallback(func(context.Context, confidential.AssertionRequestOptions) (string, error) {
			return tok, nil
		})
	}
	tests := []struct {
		name     string
		clientID string
		cred     confidential.Credential
		wantErr  string
	}{
		{"secret", spClientID, secret(spSecret), ""},
		{"wrong secret", spClientID, secret("fake-wrong-secret"), "AADSTS7000215"},
		{"unknown app", "00000000-0000-4000-8000-000000000bad", secret(spSecret), "AADSTS700016"},
		{"certificate", certApp, cert(certPEM, keyPEM), ""},
		{"unregistered certificate", certApp, cert(otherCert, otherKey), "AADSTS700027"},
		{"federated", fedApp, assertion(c.FederatedToken(fedApp)), ""},
		{"federated for another app", fedApp, assertion(c.FederatedToken(spClientID)), "AADSTS70021"},
		{"federated not enabled", spClientID, assertion(c.FederatedToken(spClientID)), "AADSTS70021"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := newConfidential(t, c, tt.clientID, tt.cred).AcquireTokenByCredential(ctx(t), []string{armScope})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cl, err := c.Verify(res.AccessToken, armAudience)
			if err != nil {
				t.Fatal(err)
			}
			if cl.AppID != tt.clientID || cl.Tenant != tenantA || cl.UPN != "" {
				t.Errorf("claims = %+v", cl)
			}
		})
	}
}

func TestManagedIdentityAppService(t *testing.T) {
	c := startCloud(t)
	system := c.AddManagedIdentity(fakecloud.MI{Tenant: tenantA})
	user := c.AddManagedIdentity(fakecloud.MI{ClientID: "77777777-0000-4000-8000-000000000007", Tenant: tenantA})
	for _, kv := range c.MSIEnv() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	if src, err := managedidentity.GetSource(); err != nil || src != managedidentity.AppService {
		t.Fatalf("source = %v, %v", src, err)
	}
	// MSAL's managed identity token cache is process-wide, so each case asks for its own
	// resource to be sure the request reaches the fake.
	tests := []struct {
		name     string
		id       managedidentity.ID
		resource string
		want     fakecloud.MI
		wantErr  bool
	}{
		{"system", managedidentity.SystemAssigned(), "https://management.azure.com/", system, false},
		{"user", managedidentity.UserAssignedClientID(user.ClientID), "https://management.core.windows.net/", user, false},
		{"unknown", managedidentity.UserAssignedClientID("00000000-0000-4000-8000-000000000bad"), "https://vault.azure.net", fakecloud.MI{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mic, err := managedidentity.New(tt.id, managedidentity.WithHTTPClient(c.HTTPClient()), managedidentity.WithRetryPolicyDisabled())
			if err != nil {
				t.Fatal(err)
			}
			res, err := mic.AcquireToken(ctx(t), tt.resource)
			if tt.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cl, err := c.Verify(res.AccessToken, tt.resource)
			if err != nil {
				t.Fatal(err)
			}
			if cl.AppID != tt.want.ClientID || cl.ObjectID != tt.want.OID || cl.Tenant != tenantA {
				t.Errorf("claims = %+v, want %+v", cl, tt.want)
			}
			if time.Until(res.ExpiresOn) < 50*time.Minute {
				t.Errorf("expires on %v", res.ExpiresOn)
			}
		})
	}
}
