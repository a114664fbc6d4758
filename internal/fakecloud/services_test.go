package fakecloud_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/azcred/azcred/internal/fakecloud"
)

const subID = "cccccccc-0000-4000-8000-00000000000c"

// get sends a GET with an optional bearer token and decodes a JSON answer.
func get(t *testing.T, c *fakecloud.Cloud, u, token string, header ...string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &body) //nolint:errcheck // some answers are not JSON; callers check status
	return resp.StatusCode, body
}

// spToken gets an app token with the client credentials grant, the way MSAL does.
func spToken(t *testing.T, c *fakecloud.Cloud, tenant, scope string) (int, map[string]any) {
	t.Helper()
	form := url.Values{
		"grant_type": {"client_credentials"}, "client_id": {spClientID},
		"client_secret": {spSecret}, "scope": {scope},
	}
	resp, err := c.HTTPClient().PostForm(c.AuthorityURL+"/"+tenant+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func seeded(t *testing.T) *fakecloud.Cloud {
	t.Helper()
	c := startCloud(t)
	if _, err := c.AddServicePrincipal(fakecloud.SP{Tenant: tenantA, ClientID: spClientID, Secret: spSecret}); err != nil {
		t.Fatal(err)
	}
	c.AddSubscription(fakecloud.Subscription{ID: subID, Name: "Fake Sub", Tenant: tenantA})
	c.AddSubscription(fakecloud.Subscription{ID: "dddddddd-0000-4000-8000-00000000000d", Name: "Other Tenant Sub", Tenant: tenantB})
	c.AddRegistry(subID, "fakeacr", "fakeacr.azurecr.io")
	return c
}

func TestTokenResponseShape(t *testing.T) {
	c := seeded(t)
	status, body := spToken(t, c, tenantA, armScope)
	if status != 200 {
		t.Fatalf("status %d: %v", status, body)
	}
	if _, ok := body["expires_in"].(float64); !ok {
		t.Errorf("expires_in is %T, want a JSON number", body["expires_in"])
	}
	if body["token_type"] != "Bearer" {
		t.Errorf("token_type = %v", body["token_type"])
	}
	cl, err := c.Verify(body["access_token"].(string), armAudience)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"iss", "tid", "oid", "sub", "appid", "azp", "iat", "nbf", "exp", "jti"} {
		if _, ok := cl.Raw[k]; !ok {
			t.Errorf("claim %s missing", k)
		}
	}
	if cl.Audience != armAudience || cl.Issuer != c.AuthorityURL+"/"+tenantA+"/v2.0" {
		t.Errorf("aud %q iss %q", cl.Audience, cl.Issuer)
	}
	_, again := spToken(t, c, tenantA, armScope)
	if cl2, _ := c.Verify(again["access_token"].(string), ""); cl2 == nil || cl2.Raw["jti"] == cl.Raw["jti"] {
		t.Error("jti is not unique")
	}
}

func TestTokenErrors(t *testing.T) {
	c := seeded(t)
	tests := []struct {
		name, tenant, scope string
		status              int
		code                string
	}{
		{"unknown tenant", "eeeeeeee-0000-4000-8000-00000000000e", armScope, 400, "AADSTS90002"},
		{"common for an app", "common", armScope, 400, "AADSTS900023"},
		{"sp of another tenant", tenantB, armScope, 400, "AADSTS700016"},
		{"scope without .default", tenantA, "https://management.core.windows.net/user_impersonation", 400, "AADSTS1002012"},
		{"two resources", tenantA, armScope + " https://vault.azure.net/.default", 400, "AADSTS70011"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := spToken(t, c, tt.tenant, tt.scope)
			desc, _ := body["error_description"].(string)
			if status != tt.status || !strings.HasPrefix(desc, tt.code+":") {
				t.Errorf("status %d, %v", status, body)
			}
		})
	}
}

func TestAudiences(t *testing.T) {
	c := seeded(t)
	tests := []struct{ scope, aud string }{
		{armScope, "https://management.core.windows.net/"},
		{"499b84ac-1321-427f-aa17-267ca6975798/.default", "499b84ac-1321-427f-aa17-267ca6975798"},
		{"https://containerregistry.azure.net/.default", "https://containerregistry.azure.net"},
		{"6dae42f8-4368-4678-94ff-3960e28e3630/.default", "6dae42f8-4368-4678-94ff-3960e28e3630"},
	}
	for _, tt := range tests {
		t.Run(tt.scope, func(t *testing.T) {
			_, body := spToken(t, c, tenantA, tt.scope)
			tok, _ := body["access_token"].(string)
			if _, err := c.Verify(tok, tt.aud); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	c := seeded(t)
	now := time.Now()
	sign := func(claims map[string]any) string {
		tok, err := c.Sign(claims)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	other := startCloud(t)
	foreign, _ := other.Sign(map[string]any{"aud": "x", "exp": now.Add(time.Hour).Unix()})
	tests := []struct {
		name, token, aud string
		ok               bool
	}{
		{"good", sign(map[string]any{"aud": "https://x.example/", "exp": now.Add(time.Hour).Unix()}), "https://x.example", true},
		{"good with slash", sign(map[string]any{"aud": "https://x.example", "exp": now.Add(time.Hour).Unix()}), "https://x.example/", true},
		{"wrong audience", sign(map[string]any{"aud": "https://y.example", "exp": now.Add(time.Hour).Unix()}), "https://x.example", false},
		{"expired", sign(map[string]any{"aud": "x", "exp": now.Add(-time.Hour).Unix()}), "x", false},
		{"not yet valid", sign(map[string]any{"aud": "x", "exp": now.Add(2 * time.Hour).Unix(), "nbf": now.Add(time.Hour).Unix()}), "x", false},
		{"no exp", sign(map[string]any{"aud": "x"}), "x", false},
		{"other cloud's key", foreign, "x", false},
		{"garbage", "fake.garbage.token", "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Verify(tt.token, tt.aud)
			if (err == nil) != tt.ok {
				t.Errorf("err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestARM(t *testing.T) {
	c := seeded(t)
	_, body := spToken(t, c, tenantA, armScope)
	arm := body["access_token"].(string)
	_, body = spToken(t, c, tenantA, "https://management.azure.com/.default")
	arm2 := body["access_token"].(string)
	_, body = spToken(t, c, tenantA, "https://vault.azure.net/.default")
	vault := body["access_token"].(string)
	const v = "?api-version=2022-12-01"
	tests := []struct {
		name, path, token string
		status            int
		check             func(map[string]any) bool
	}{
		{"subscriptions", "/subscriptions" + v, arm, 200, func(b map[string]any) bool {
			vals := b["value"].([]any)
			s := vals[0].(map[string]any)
			return len(vals) == 1 && s["id"] == "/subscriptions/"+subID && s["subscriptionId"] == subID &&
				s["displayName"] == "Fake Sub" && s["state"] == "Enabled" && s["tenantId"] == tenantA
		}},
		{"management.azure.com audience", "/subscriptions" + v, arm2, 200, nil},
		{"one subscription", "/subscriptions/" + subID + v, arm, 200, func(b map[string]any) bool { return b["subscriptionId"] == subID }},
		{"other tenant's subscription", "/subscriptions/dddddddd-0000-4000-8000-00000000000d" + v, arm, 404, nil},
		{"tenants", "/tenants" + v, arm, 200, func(b map[string]any) bool {
			t0 := b["value"].([]any)[0].(map[string]any)
			return t0["tenantId"] == tenantA && t0["displayName"] == "Fake Tenant A" && t0["tenantCategory"] != nil
		}},
		{"registries", "/subscriptions/" + subID + "/providers/Microsoft.ContainerRegistry/registries" + v, arm, 200, func(b map[string]any) bool {
			r := b["value"].([]any)[0].(map[string]any)
			return r["name"] == "fakeacr" && r["properties"].(map[string]any)["loginServer"] == "fakeacr.azurecr.io" &&
				strings.HasPrefix(r["id"].(string), "/subscriptions/"+subID+"/")
		}},
		{"no token", "/subscriptions" + v, "", 401, func(b map[string]any) bool { return b["error"].(map[string]any)["code"] == "AuthenticationFailed" }},
		{"wrong audience", "/subscriptions" + v, vault, 401, func(b map[string]any) bool {
			return b["error"].(map[string]any)["code"] == "InvalidAuthenticationToken"
		}},
		{"no api-version", "/subscriptions", arm, 400, nil},
		{"unknown path", "/providers" + v, arm, 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := get(t, c, c.ARMURL+tt.path, tt.token)
			if status != tt.status || (tt.check != nil && !tt.check(body)) {
				t.Errorf("status %d body %v", status, body)
			}
		})
	}
	if c.Count("arm") != len(tests) {
		t.Errorf("arm count = %d, want %d", c.Count("arm"), len(tests))
	}
}

func TestARMUserTenants(t *testing.T) {
	c := seeded(t)
	res := deviceCodeLogin(t, c, newPublic(t, c, tenantA))
	status, body := get(t, c, c.ARMURL+"/tenants?api-version=2022-12-01", res.AccessToken)
	if status != 200 || len(body["value"].([]any)) != 2 {
		t.Errorf("a user of two tenants: %d %v", status, body)
	}
}

func TestMSIEndpoint(t *testing.T) {
	c := seeded(t)
	mi := c.AddManagedIdentity(fakecloud.MI{})
	q := "?api-version=2019-08-01&resource=" + url.QueryEscape("https://management.azure.com/")
	imds := strings.TrimSuffix(c.MSIURL, "/msi/token") + "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net"
	tests := []struct {
		name, url string
		header    []string
		status    int
	}{
		{"app service", c.MSIURL + q, []string{"X-IDENTITY-HEADER", c.MSIHeader}, 200},
		{"wrong header", c.MSIURL + q, []string{"X-IDENTITY-HEADER", "fake-wrong"}, 401},
		{"no header", c.MSIURL + q, nil, 401},
		{"unknown identity", c.MSIURL + q + "&client_id=00000000-0000-4000-8000-000000000bad", []string{"X-IDENTITY-HEADER", c.MSIHeader}, 400},
		{"no resource", c.MSIURL + "?api-version=2019-08-01", []string{"X-IDENTITY-HEADER", c.MSIHeader}, 400},
		{"imds", imds, []string{"Metadata", "true"}, 200},
		{"imds without metadata header", imds, nil, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := get(t, c, tt.url, "", tt.header...)
			if status != tt.status {
				t.Fatalf("status %d: %v", status, body)
			}
			if status != 200 {
				return
			}
			if _, ok := body["expires_on"].(string); !ok {
				t.Errorf("expires_on is %T, want a string", body["expires_on"])
			}
			if body["client_id"] != mi.ClientID || body["token_type"] != "Bearer" || body["resource"] == nil {
				t.Errorf("body = %v", body)
			}
		})
	}
}

func TestOpenIDAndDiscovery(t *testing.T) {
	c := seeded(t)
	status, body := get(t, c, c.AuthorityURL+"/"+tenantA+"/v2.0/.well-known/openid-configuration", "")
	if status != 200 || body["token_endpoint"] != c.AuthorityURL+"/"+tenantA+"/oauth2/v2.0/token" {
		t.Errorf("%d %v", status, body)
	}
	if status, _ := get(t, c, c.AuthorityURL+"/eeeeeeee-0000-4000-8000-00000000000e/v2.0/.well-known/openid-configuration", ""); status != 400 {
		t.Errorf("unknown tenant: %d", status)
	}
	status, body = get(t, c, c.AuthorityURL+"/common/discovery/instance?api-version=1.1&authorization_endpoint="+
		url.QueryEscape(c.AuthorityURL+"/"+tenantA+"/oauth2/v2.0/authorize"), "")
	if status != 200 || !strings.Contains(body["tenant_discovery_endpoint"].(string), tenantA) {
		t.Errorf("%d %v", status, body)
	}
	status, body = get(t, c, body["tenant_discovery_endpoint"].(string), "")
	if status != 200 || body["jwks_uri"] == nil {
		t.Errorf("%d %v", status, body)
	}
	if status, body = get(t, c, body["jwks_uri"].(string), ""); status != 200 || len(body["keys"].([]any)) != 1 {
		t.Errorf("jwks: %d %v", status, body)
	}
	if c.Count("openid") != 4 || c.Count("discovery") != 1 {
		t.Errorf("openid %d discovery %d", c.Count("openid"), c.Count("discovery"))
	}
}

func TestFaults(t *testing.T) {
	c := seeded(t)
	c.SetFault("token", fakecloud.Fault{Status: 429, RetryAfter: 7 * time.Second, Times: 2})
	for i := 0; i < 2; i++ {
		resp, err := c.HTTPClient().PostForm(c.AuthorityURL+"/"+tenantA+"/oauth2/v2.0/token", url.Values{})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" {
			t.Errorf("attempt %d: %s Retry-After %q", i, resp.Status, resp.Header.Get("Retry-After"))
		}
	}
	if status, body := spToken(t, c, tenantA, armScope); status != 200 {
		t.Errorf("after Times ran out: %d %v", status, body)
	}
	if c.Count("token") != 3 {
		t.Errorf("token count = %d", c.Count("token"))
	}

	c.SetFault("arm", fakecloud.Fault{Status: 500, Body: `{"error":{"code":"FakeBoom","message":"fake"}}`})
	for i := 0; i < 3; i++ {
		if status, body := get(t, c, c.ARMURL+"/subscriptions?api-version=1", ""); status != 500 || body["error"].(map[string]any)["code"] != "FakeBoom" {
			t.Errorf("forever fault, attempt %d: %d %v", i, status, body)
		}
	}
	c.ClearFaults()
	if status, _ := get(t, c, c.ARMURL+"/subscriptions?api-version=1", ""); status != 401 {
		t.Errorf("after ClearFaults: %d", status)
	}
	c.ResetCounts()
	if c.Count("arm") != 0 || c.Count("token") != 0 {
		t.Error("ResetCounts kept counts")
	}
}

func TestHangReleasedByClientAndClose(t *testing.T) {
	c, err := fakecloud.Start(fakecloud.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.SetFault("openid", fakecloud.Fault{Hang: true})
	u := c.AuthorityURL + "/common/v2.0/.well-known/openid-configuration"

	short, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(short, http.MethodGet, u, nil)
	if _, err := c.HTTPClient().Do(req); err == nil {
		t.Fatal("a hung request answered")
	}

	done := make(chan error, 1)
	go func() {
		resp, err := c.HTTPClient().Get(u)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	closed := make(chan struct{})
	go func() { c.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung")
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the hung request was not released by Close")
	}
}

func TestServe(t *testing.T) {
	c := seeded(t)
	srv, err := c.Serve("git", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.Hit("git-sub")
		w.Write([]byte("fake git")) //nolint:errcheck
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") || srv.URL != "https://"+srv.Host {
		t.Errorf("server %+v", srv)
	}
	if status, _ := get(t, c, srv.URL+"/x", ""); status != 200 {
		t.Errorf("status %d", status)
	}
	c.SetFault("git", fakecloud.Fault{Status: 503, Times: 1})
	if status, _ := get(t, c, srv.URL+"/x", ""); status != 503 {
		t.Errorf("fault: status %d", status)
	}
	if c.Count("git") != 2 || c.Count("git-sub") != 1 {
		t.Errorf("git %d git-sub %d", c.Count("git"), c.Count("git-sub"))
	}
	if c.Info().Services["git"] != srv.URL {
		t.Errorf("info services = %v", c.Info().Services)
	}
}

func TestIssuedSecrets(t *testing.T) {
	c := seeded(t)
	_, body := spToken(t, c, tenantA, armScope)
	res := deviceCodeLogin(t, c, newPublic(t, c, tenantA))
	secrets := strings.Join(c.IssuedSecrets(), "\n")
	for name, s := range map[string]string{
		"app token": body["access_token"].(string), "user token": res.AccessToken,
		"id token": res.IDToken.RawToken, "client secret": spSecret, "msi header": c.MSIHeader,
	} {
		if !strings.Contains(secrets, s) {
			t.Errorf("%s not recorded", name)
		}
	}
}
