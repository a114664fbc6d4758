package helper

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/keyring"

	"github.com/azcred/azcred/store"
)

// More suffix cases than targets_test.go: other clouds, Azure Stack
// suffixes written with a dot and capitals, look-alike hosts, addresses.
func TestIsRegistryOfSuffixes(t *testing.T) {
	azure := &store.Environment{Name: "AzureCloud", RegistrySuffix: "azurecr.io"}
	china := &store.Environment{Name: "AzureChinaCloud", RegistrySuffix: "azurecr.cn"}
	dotted := &store.Environment{Name: "Stack", RegistrySuffix: ".AzsAcr.Local.Example"}
	none := &store.Environment{Name: "Fake"}
	tests := []struct {
		host string
		env  *store.Environment
		want bool
	}{
		{"contoso.azurecr.io", azure, true},
		{"CONTOSO.AzureCR.io", azure, true},
		{"contoso.azurecr.io:443", azure, true},
		{"eastus.contoso.azurecr.io", azure, true},
		{"azurecr.io", azure, false},
		{".azurecr.io", azure, false},
		{"contosoazurecr.io", azure, false},
		{"contoso.azurecr.io.attacker.example", azure, false},
		{"contoso.azurecr.cn", azure, false},
		{"contoso.azurecr.cn", china, true},
		{"registry.azsacr.local.example", dotted, true},
		{"registry.azsacr.local.example:5000", dotted, true},
		{"docker.io", azure, false},
		{"127.0.0.1:5000", azure, false},
		{"[::1]:5000", azure, false},
		{"contoso.azurecr.io", none, false},
		{"contoso.azurecr.io", nil, false},
	}
	for _, tt := range tests {
		name := tt.host
		if tt.env != nil {
			name += " in " + tt.env.Name
		}
		t.Run(name, func(t *testing.T) {
			if got := IsRegistryOf(tt.host, tt.env); got != tt.want {
				t.Errorf("IsRegistryOf(%q) = %v, want %v", tt.host, got, tt.want)
			}
		})
	}
}

func TestRegistryKeyScheme(t *testing.T) {
	r := &Resolved{Context: &store.Context{Environment: "Fake", Account: store.Account{ID: "fake-sp", Type: "ServicePrincipal"}}, Tenant: "Fake-Tenant"}
	key := RegistryKey(r, "Contoso.AzureCR.io")
	if want := "fake/serviceprincipal/fake-sp|fake-tenant|contoso.azurecr.io"; key != want {
		t.Errorf("RegistryKey = %q, want %q", key, want)
	}
	if got := store.RegistryKeyHost(key); got != "contoso.azurecr.io" {
		t.Errorf("RegistryHost = %q", got)
	}
	sec := &store.Secrets{Registries: map[string]store.RegistryToken{
		"a|t|one.azurecr.io":      {RefreshToken: "fake-1"},
		"b|t|one.azurecr.io":      {RefreshToken: "fake-2"},
		"a|t|two.azurecr.io:5000": {RefreshToken: "fake-3"},
	}}
	if got := strings.Join(CachedRegistries(sec), ","); got != "one.azurecr.io,two.azurecr.io:5000" {
		t.Errorf("CachedRegistries = %s", got)
	}
	ForgetRegistry(sec, "ONE.azurecr.io")
	if got := strings.Join(CachedRegistries(sec), ","); got != "two.azurecr.io:5000" {
		t.Errorf("after ForgetRegistry: %s", got)
	}
}

// fakeRefreshToken is JWT-shaped (so its exp can be read) and unsigned.
func fakeRefreshToken(t *testing.T, exp time.Time) string {
	t.Helper()
	return fakeJWT(t, map[string]any{"exp": exp.Unix(), "grant_type": "refresh_token"})
}

// acrFixture is a fake registry exchange and an engine whose Entra token
// for the registry scope is already cached, so the exchange is the only
// request a RegistryToken call can make.
type acrFixture struct {
	engine   *Engine
	resolved *Resolved
	host     string
	calls    atomic.Int32
	answer   func(w http.ResponseWriter, r *http.Request)
}

const fakeEntraToken = "fake-entra-access-token-for-acr"

func newACRFixture(t *testing.T) *acrFixture {
	t.Helper()
	f := &acrFixture{}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		f.answer(w, r)
	}))
	t.Cleanup(srv.Close)
	f.host = strings.TrimPrefix(srv.URL, "https://")
	s := store.Open(t.TempDir(), store.NewStaticKeys(keyring.NewArrayKeyring(nil), "array"))
	f.resolved = &Resolved{
		Context: &store.Context{Name: "work", Environment: "Fake", Tenant: "fake-tenant",
			Account: store.Account{ID: "fake-sp", Type: "ServicePrincipal"}},
		Store: s, Scope: RegistryScope, Tenant: "fake-tenant", Source: "test",
	}
	err := s.UpdateSecrets(func(sec *store.Secrets) error {
		sec.Tokens[TokenKey(f.resolved)] = store.Token{AccessToken: fakeEntraToken, ExpiresOn: time.Now().Add(time.Hour), Tenant: "fake-tenant", Scope: RegistryScope}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.engine = &Engine{MinTTL: DefaultMinTTL, Timeout: 5 * time.Second, Now: time.Now, HTTP: srv.Client(), Debugf: t.Logf,
		NewSource: func(*Engine, *Resolved, *store.Secrets, *MSALCache) (Source, error) {
			t.Error("the Entra token should have come from the cache")
			return nil, fmt.Errorf("no source in this test")
		}}
	return f
}

func (f *acrFixture) get(t *testing.T) (*Token, error) {
	t.Helper()
	return f.engine.RegistryToken(context.Background(), f.resolved, f.host)
}

func (f *acrFixture) cached(t *testing.T) int {
	t.Helper()
	sec, err := f.resolved.Store.Secrets()
	if err != nil {
		t.Fatal(err)
	}
	return len(sec.Registries)
}

func TestRegistryTokenExchangesOnceThenCaches(t *testing.T) {
	f := newACRFixture(t)
	exp := time.Now().Add(3 * time.Hour).Truncate(time.Second)
	rt := fakeRefreshToken(t, exp)
	f.answer = func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/oauth2/exchange" {
			t.Errorf("got %s %s, want POST /oauth2/exchange", r.Method, r.URL.Path)
		}
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		want := map[string]string{"grant_type": "access_token", "service": f.host, "tenant": "fake-tenant", "access_token": fakeEntraToken}
		for k, v := range want {
			if got := r.PostForm.Get(k); got != v {
				t.Errorf("form %s = %q, want %q", k, got, v)
			}
		}
		fmt.Fprintf(w, `{"refresh_token":%q}`, rt)
	}
	tok, err := f.get(t)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != rt || tok.FromCache || !tok.ExpiresOn.Equal(exp) {
		t.Errorf("first: got %+v, want the exchanged token expiring %s", tok, exp)
	}
	tok, err = f.get(t)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != rt || !tok.FromCache {
		t.Errorf("second: want a cache hit, got FromCache=%v", tok.FromCache)
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("exchange requests = %d, want 1", n)
	}
}

func TestRegistryTokenLifetime(t *testing.T) {
	tests := []struct {
		name      string
		token     func(t *testing.T) string
		wantCalls int32 // after two calls
		wantExp   time.Duration
	}{
		{"expiring within MinTTL is exchanged every time", func(t *testing.T) string { return fakeRefreshToken(t, time.Now().Add(time.Minute)) }, 2, time.Minute},
		{"opaque token is assumed to live ACR's 3 hours", func(*testing.T) string { return "fake-opaque-refresh-token" }, 1, 3 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newACRFixture(t)
			rt := tt.token(t)
			f.answer = func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintf(w, `{"refresh_token":%q}`, rt) }
			var tok *Token
			for range 2 {
				var err error
				if tok, err = f.get(t); err != nil {
					t.Fatal(err)
				}
			}
			if n := f.calls.Load(); n != tt.wantCalls {
				t.Errorf("exchange requests = %d, want %d", n, tt.wantCalls)
			}
			if left := time.Until(tok.ExpiresOn); left > tt.wantExp || left < tt.wantExp-time.Minute {
				t.Errorf("expires in %s, want about %s", left, tt.wantExp)
			}
		})
	}
}

func TestRegistryTokenFailuresCacheNothing(t *testing.T) {
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Error("the exchange followed a redirect: the Entra token went to another host")
	}))
	defer other.Close()
	tests := []struct {
		name    string
		answer  func(w http.ResponseWriter, r *http.Request)
		wantErr string
		hint    string
	}{
		{"401", status(401), "refused the token exchange: HTTP 401", "AcrPull"},
		{"404", status(404), "refused the token exchange: HTTP 404", "registry name"},
		{"500", status(500), "refused the token exchange: HTTP 500", "try again later"},
		{"307 redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/oauth2/exchange", http.StatusTemporaryRedirect)
		}, "HTTP 307", "redirects elsewhere"},
		{"no refresh token", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, `{"access_token":"fake"}`) }, "without a refresh token", ""},
		{"not JSON", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, `<html>`) }, "without a refresh token", ""},
		{"hang", func(w http.ResponseWriter, r *http.Request) {
			// Reading the body lets the server notice the client hang up.
			io.Copy(io.Discard, r.Body) //nolint:errcheck // only draining
			<-r.Context().Done()
		}, "did not answer within", "AZCRED_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newACRFixture(t)
			f.engine.Timeout = 300 * time.Millisecond
			f.answer = tt.answer
			start := time.Now()
			tok, err := f.get(t)
			if err == nil {
				t.Fatalf("got a token %v, want an error", tok.ExpiresOn)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), f.host) {
				t.Errorf("error %q, want it to name %s and say %q", err, f.host, tt.wantErr)
			}
			if !strings.Contains(Hint(err), tt.hint) {
				t.Errorf("hint %q, want %q", Hint(err), tt.hint)
			}
			if strings.Contains(err.Error(), fakeEntraToken) {
				t.Error("the error shows the Entra token")
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %s", d)
			}
			if n := f.cached(t); n != 0 {
				t.Errorf("%d refresh tokens cached after a failure", n)
			}
		})
	}
}

func status(code int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		fmt.Fprint(w, `{"errors":[{"code":"FAKE","message":"fake failure"}]}`)
	}
}

func TestRegistryTokenAutosaveOff(t *testing.T) {
	f := newACRFixture(t)
	f.answer = func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `{"refresh_token":%q}`, fakeRefreshToken(t, time.Now().Add(3*time.Hour)))
	}
	f.resolved.Store.ReadOnly = true
	for range 2 {
		if _, err := f.get(t); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.calls.Load(); n != 2 {
		t.Errorf("exchange requests = %d, want 2 (nothing may be cached)", n)
	}
	f.resolved.Store.ReadOnly = false
	if n := f.cached(t); n != 0 {
		t.Errorf("%d refresh tokens cached with autosave off", n)
	}
}
