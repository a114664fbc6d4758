package fakecloud

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// acrExchange does step one of ACR's flow, as azcred's docker helper will,
// and returns the ACR refresh token.
func acrExchange(t *testing.T, c *Cloud, a *ACR, entraToken string) string {
	t.Helper()
	resp, err := c.HTTPClient().PostForm(a.URL+"/oauth2/exchange", url.Values{
		"grant_type":   {"access_token"},
		"service":      {a.Host},
		"tenant":       {svcTenant},
		"access_token": {entraToken},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK || body.RefreshToken == "" {
		t.Fatalf("exchange: status %d, decode error %v", resp.StatusCode, err)
	}
	return body.RefreshToken
}

// exchangeKeychain resolves every registry to the ACR refresh token it gets
// from the exchange, the way a docker credential helper answers.
type exchangeKeychain struct {
	t        *testing.T
	c        *Cloud
	a        *ACR
	identity bool // hand the token over as an identity token (OAuth POST) instead of a password
}

func (k exchangeKeychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	rt := acrExchange(k.t, k.c, k.a, svcToken(k.t, k.c, ACRResource+"/", svcTenant, time.Hour))
	if k.identity {
		return authn.FromConfig(authn.AuthConfig{IdentityToken: rt}), nil
	}
	return authn.FromConfig(authn.AuthConfig{Username: ACRRefreshUser, Password: rt}), nil
}

func TestACRWithGGCR(t *testing.T) {
	for _, identity := range []bool{false, true} {
		t.Run(map[bool]string{false: "basic password", true: "identity token"}[identity], func(t *testing.T) {
			c := svcCloud(t)
			a, err := c.StartACR("fake")
			if err != nil {
				t.Fatal(err)
			}
			seeded, err := a.Seed("team/app", "v1")
			if err != nil {
				t.Fatal(err)
			}
			if n := c.Count("registry"); n != 0 {
				t.Errorf("Seed counted %d registry requests, want 0", n)
			}
			opts := []remote.Option{
				remote.WithAuthFromKeychain(exchangeKeychain{t: t, c: c, a: a, identity: identity}),
				remote.WithTransport(c.HTTPClient().Transport),
			}

			ref, err := name.ParseReference(a.Host + "/team/app:v1")
			if err != nil {
				t.Fatal(err)
			}
			img, err := remote.Image(ref, opts...)
			if err != nil {
				t.Fatalf("pull: %v", err)
			}
			if d, err := img.Digest(); err != nil || d.String() != seeded {
				t.Fatalf("pulled digest %v (%v), want %s", d, err, seeded)
			}

			pushed, err := random.Image(256, 1)
			if err != nil {
				t.Fatal(err)
			}
			dst, err := name.ParseReference(a.Host + "/team/new:v2")
			if err != nil {
				t.Fatal(err)
			}
			if err := remote.Write(dst, pushed, opts...); err != nil {
				t.Fatalf("push: %v", err)
			}
			want, _ := pushed.Digest()
			desc, err := remote.Head(dst, opts...)
			if err != nil || desc.Digest != want {
				t.Fatalf("head after push: %v, %v; want %s", desc, err, want)
			}

			for _, counter := range []string{"acr-exchange", "acr-token", "registry", "acr-fake"} {
				if c.Count(counter) == 0 {
					t.Errorf("counter %s is 0", counter)
				}
			}
		})
	}
}

func TestACRWithCrane(t *testing.T) {
	crane, err := exec.LookPath("crane")
	if err != nil {
		t.Skip("crane not on PATH: go install github.com/google/go-containerregistry/cmd/crane@v0.22.1")
	}
	c := svcCloud(t)
	a, err := c.StartACR("fake")
	if err != nil {
		t.Fatal(err)
	}
	seeded, err := a.Seed("team/app", "v1")
	if err != nil {
		t.Fatal(err)
	}
	rt := acrExchange(t, c, a, svcToken(t, c, ACRResource, svcTenant, time.Hour))

	tests := []struct {
		name    string
		auths   map[string]any
		args    []string
		want    string
		wantErr bool
	}{
		{"digest with basic creds", map[string]any{a.Host: map[string]string{"username": ACRRefreshUser, "password": rt}},
			[]string{"digest", a.Host + "/team/app:v1"}, seeded, false},
		{"ls with auth field", map[string]any{a.Host: map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(ACRRefreshUser + ":" + rt))}},
			[]string{"ls", a.Host + "/team/app"}, "v1", false},
		{"catalog", map[string]any{a.Host: map[string]string{"username": ACRRefreshUser, "password": rt}},
			[]string{"catalog", a.Host}, "team/app", false},
		{"identity token", map[string]any{a.Host: map[string]string{"identitytoken": rt}},
			[]string{"digest", a.Host + "/team/app:v1"}, seeded, false},
		{"no creds", map[string]any{}, []string{"digest", a.Host + "/team/app:v1"}, "", true},
		{"entra token instead of acr token", map[string]any{a.Host: map[string]string{"username": ACRRefreshUser, "password": svcToken(t, c, ACRResource, svcTenant, time.Hour)}},
			[]string{"digest", a.Host + "/team/app:v1"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfgDir := t.TempDir()
			cfg, err := json.Marshal(map[string]any{"auths": tt.auths})
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(cfgDir, "config.json"), cfg, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(crane, tt.args...)
			cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+cfgDir, "SSL_CERT_FILE="+c.CAFile, "HOME="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if tt.wantErr {
				if err == nil {
					t.Fatalf("crane succeeded, want failure:\n%s", out)
				}
				if !strings.Contains(string(out), "UNAUTHORIZED") {
					t.Errorf("crane did not report UNAUTHORIZED:\n%s", out)
				}
				return
			}
			if err != nil {
				t.Fatalf("crane %s: %v\n%s", tt.args[0], err, out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("crane output lacks %q:\n%s", tt.want, out)
			}
		})
	}
}

func TestACRExchange(t *testing.T) {
	c := svcCloud(t)
	a, err := c.StartACR("fake")
	if err != nil {
		t.Fatal(err)
	}
	good := svcToken(t, c, ACRResource, svcTenant, time.Hour)
	tests := []struct {
		name       string
		method     string
		form       url.Values
		wantStatus int
	}{
		{"ok", http.MethodPost, url.Values{"grant_type": {"access_token"}, "service": {a.Host}, "tenant": {svcTenant}, "access_token": {good}}, http.StatusOK},
		{"ok without tenant", http.MethodPost, url.Values{"grant_type": {"access_token"}, "service": {a.Host}, "access_token": {good}}, http.StatusOK},
		{"wrong audience", http.MethodPost, url.Values{"grant_type": {"access_token"}, "service": {a.Host}, "access_token": {svcToken(t, c, DevOpsResource, svcTenant, time.Hour)}}, http.StatusUnauthorized},
		{"expired", http.MethodPost, url.Values{"grant_type": {"access_token"}, "service": {a.Host}, "access_token": {svcToken(t, c, ACRResource, svcTenant, -time.Hour)}}, http.StatusUnauthorized},
		{"other tenant", http.MethodPost, url.Values{"grant_type": {"access_token"}, "service": {a.Host}, "tenant": {svcOtherTenant}, "access_token": {good}}, http.StatusUnauthorized},
		{"wrong service", http.MethodPost, url.Values{"grant_type": {"access_token"}, "service": {"contoso.azurecr.io"}, "access_token": {good}}, http.StatusUnauthorized},
		{"garbage token", http.MethodPost, url.Values{"grant_type": {"access_token"}, "service": {a.Host}, "access_token": {"not-a-jwt"}}, http.StatusUnauthorized},
		{"missing token", http.MethodPost, url.Values{"grant_type": {"access_token"}, "service": {a.Host}}, http.StatusBadRequest},
		{"wrong grant", http.MethodPost, url.Values{"grant_type": {"password"}, "service": {a.Host}, "access_token": {good}}, http.StatusBadRequest},
		{"GET", http.MethodGet, nil, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, a.URL+"/oauth2/exchange", strings.NewReader(tt.form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := c.HTTPClient().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				RefreshToken string `json:"refresh_token"`
				Errors       []struct {
					Code string `json:"code"`
				} `json:"errors"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus != http.StatusOK {
				if len(body.Errors) == 0 || body.RefreshToken != "" {
					t.Errorf("error reply lacks errors[] or carries a token")
				}
				if tt.wantStatus == http.StatusUnauthorized && body.Errors[0].Code != "UNAUTHORIZED" {
					t.Errorf("code %q, want UNAUTHORIZED", body.Errors[0].Code)
				}
				return
			}
			cl, err := c.Verify(body.RefreshToken, a.Host)
			if err != nil {
				t.Fatalf("refresh token does not verify for %s: %v", a.Host, err)
			}
			if cl.Issuer != a.Host || time.Until(cl.Expiry) < 2*time.Hour || time.Until(cl.Expiry) > 3*time.Hour+time.Minute {
				t.Errorf("refresh token iss %q, exp in %v; want iss %s and about 3h", cl.Issuer, time.Until(cl.Expiry), a.Host)
			}
		})
	}
}

func TestACRTokenAndRegistryAuth(t *testing.T) {
	c := svcCloud(t)
	a, err := c.StartACR("fake")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Seed("team/app", "v1"); err != nil {
		t.Fatal(err)
	}
	rt := acrExchange(t, c, a, svcToken(t, c, ACRResource, svcTenant, time.Hour))
	client := c.HTTPClient()

	// accessToken asks /oauth2/token with basic creds and returns the token
	// and the status.
	accessToken := func(t *testing.T, user, pw, service string, scopes ...string) (string, int) {
		t.Helper()
		q := url.Values{"service": {service}, "scope": scopes}
		req, err := http.NewRequest(http.MethodGet, a.URL+"/oauth2/token?"+q.Encode(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if user != "" {
			req.SetBasicAuth(user, pw)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			AccessToken string `json:"access_token"`
		}
		json.NewDecoder(resp.Body).Decode(&body) //nolint:errcheck // the status says enough
		return body.AccessToken, resp.StatusCode
	}

	t.Run("token endpoint", func(t *testing.T) {
		pull, _ := accessToken(t, ACRRefreshUser, rt, a.Host, "repository:team/app:pull")
		tests := []struct {
			name, user, pw, service string
			wantStatus              int
		}{
			{"ok", ACRRefreshUser, rt, a.Host, http.StatusOK},
			{"no basic auth", "", "", a.Host, http.StatusUnauthorized},
			{"wrong user", "someone", rt, a.Host, http.StatusUnauthorized},
			{"wrong service", ACRRefreshUser, rt, "contoso.azurecr.io", http.StatusUnauthorized},
			{"access token as refresh token", ACRRefreshUser, pull, a.Host, http.StatusUnauthorized},
			{"entra token as refresh token", ACRRefreshUser, svcToken(t, c, ACRResource, svcTenant, time.Hour), a.Host, http.StatusUnauthorized},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tok, status := accessToken(t, tt.user, tt.pw, tt.service, "repository:team/app:pull")
				if status != tt.wantStatus || (status == http.StatusOK) != (tok != "") {
					t.Errorf("status %d, token present %v; want %d", status, tok != "", tt.wantStatus)
				}
			})
		}
	})

	t.Run("oauth form", func(t *testing.T) {
		resp, err := client.PostForm(a.URL+"/oauth2/token", url.Values{
			"grant_type": {"refresh_token"}, "service": {a.Host}, "scope": {"repository:team/app:pull registry:catalog:*"}, "refresh_token": {rt},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d, %v", resp.StatusCode, err)
		}
		for _, path := range []string{"/v2/team/app/tags/list", "/v2/_catalog"} {
			req, _ := http.NewRequest(http.MethodGet, a.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+body.AccessToken)
			r, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			if r.StatusCode != http.StatusOK {
				t.Errorf("GET %s with both scopes: %d", path, r.StatusCode)
			}
		}
	})

	t.Run("registry", func(t *testing.T) {
		pullApp, _ := accessToken(t, ACRRefreshUser, rt, a.Host, "repository:team/app:pull")
		pullOther, _ := accessToken(t, ACRRefreshUser, rt, a.Host, "repository:team/other:pull")
		realm := `Bearer realm="` + a.URL + `/oauth2/token",service="` + a.Host + `"`
		tests := []struct {
			name, method, path, token string
			wantStatus                int
			wantChallenge             string
		}{
			{"ping without token", http.MethodGet, "/v2/", "", http.StatusUnauthorized, realm},
			{"ping with token", http.MethodGet, "/v2/", pullOther, http.StatusOK, ""},
			{"manifest without token", http.MethodGet, "/v2/team/app/manifests/v1", "", http.StatusUnauthorized, realm + `,scope="repository:team/app:pull"`},
			{"manifest with token", http.MethodHead, "/v2/team/app/manifests/v1", pullApp, http.StatusOK, ""},
			{"token for another repo", http.MethodGet, "/v2/team/app/manifests/v1", pullOther, http.StatusUnauthorized, realm + `,scope="repository:team/app:pull"`},
			{"push with pull token", http.MethodPost, "/v2/team/app/blobs/uploads/", pullApp, http.StatusUnauthorized, realm + `,scope="repository:team/app:pull,push"`},
			{"refresh token as bearer", http.MethodGet, "/v2/", rt, http.StatusUnauthorized, realm},
			{"entra token as bearer", http.MethodGet, "/v2/", svcToken(t, c, a.Host, svcTenant, time.Hour), http.StatusUnauthorized, realm},
			{"catalog without scope", http.MethodGet, "/v2/_catalog", pullApp, http.StatusUnauthorized, realm + `,scope="registry:catalog:*"`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp := bearerDo(t, client, tt.method, a.URL+tt.path, tt.token)
				resp.Body.Close()
				if resp.StatusCode != tt.wantStatus {
					t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
				}
				if got := resp.Header.Get("WWW-Authenticate"); got != tt.wantChallenge {
					t.Errorf("WWW-Authenticate = %q, want %q", got, tt.wantChallenge)
				}
			})
		}
	})
}

func TestACRExchangeFault(t *testing.T) {
	c := svcCloud(t)
	a, err := c.StartACR("fake")
	if err != nil {
		t.Fatal(err)
	}
	c.SetFault("acr-exchange", Fault{Status: http.StatusServiceUnavailable, Times: 1})
	form := url.Values{"grant_type": {"access_token"}, "service": {a.Host}, "access_token": {svcToken(t, c, ACRResource, svcTenant, time.Hour)}}

	statuses := []int{}
	for range 2 {
		resp, err := c.HTTPClient().PostForm(a.URL+"/oauth2/exchange", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
	}
	if statuses[0] != http.StatusServiceUnavailable || statuses[1] != http.StatusOK {
		t.Errorf("statuses %v, want [503 200]", statuses)
	}
	if n := c.Count("acr-exchange"); n != 2 {
		t.Errorf("acr-exchange counted %d, want 2", n)
	}
	// The fault is the exchange's alone: the registry still answers.
	c.SetFault("acr-exchange", Fault{Status: http.StatusServiceUnavailable})
	resp, err := c.HTTPClient().Get(a.URL + "/v2/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/v2/ answered %d under an exchange fault, want 401", resp.StatusCode)
	}
	if c.Count("acr-token") != 0 {
		t.Errorf("acr-token counted requests it did not get")
	}
}
