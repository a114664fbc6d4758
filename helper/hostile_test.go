package helper

// Loopback servers that redirect, lie, trickle and present the wrong
// certificate, against the real HTTP client (newHTTPClient) and the real
// MSAL sources: nothing secret may reach a second server, and every
// failure is one line that names the host that failed.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/keyring"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"

	"github.com/azcred/azcred/store"
)

const (
	hostileSecret   = "fake-client-secret-must-stay-home"
	hostileIdentity = "fake-identity-header-must-stay-home"
	hostileTenant   = "fake-tenant"
)

// thief is a second server that records what it was sent.
type thief struct {
	srv  *httptest.Server
	hits atomic.Int32
	got  atomic.Value // string: everything secret it saw
}

func newThief(t *testing.T, tlsOn bool) *thief {
	th := &thief{}
	th.got.Store("")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		th.hits.Add(1)
		r.ParseForm() //nolint:errcheck // recording only
		th.got.Store(th.got.Load().(string) + r.PostForm.Get("client_secret") + r.Header.Get("X-IDENTITY-HEADER") + r.Header.Get("Authorization"))
		fmt.Fprint(w, `{"access_token":"fake-stolen","token_type":"Bearer","expires_in":3600}`)
	})
	if tlsOn {
		th.srv = httptest.NewTLSServer(h)
	} else {
		th.srv = httptest.NewServer(h)
	}
	t.Cleanup(th.srv.Close)
	return th
}

// fakeAuthority serves OpenID discovery for any tenant and hands token
// requests to token.
func fakeAuthority(t *testing.T, token http.HandlerFunc) *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		base := srv.URL + "/" + tenant
		switch rest {
		case "v2.0/.well-known/openid-configuration":
			fmt.Fprintf(w, `{"token_endpoint":%q,"authorization_endpoint":%q,"issuer":%q}`,
				base+"/oauth2/v2.0/token", base+"/oauth2/v2.0/authorize", base+"/v2.0")
		case "oauth2/v2.0/token", "oauth2/v2.0/token2":
			token(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// hostileEngine is an engine with azcred's own HTTP client, trusting the
// httptest certificate (every httptest TLS server shares it).
func hostileEngine(t *testing.T, timeout time.Duration) *Engine {
	return hostileEngineTrusting(t, timeout, httptestRoots())
}

// httptestRoots trusts the certificate every httptest TLS server shares.
func httptestRoots() *x509.CertPool {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	return srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
}

// hostileEngineTrusting is hostileEngine with other roots (nil: the system's).
func hostileEngineTrusting(t *testing.T, timeout time.Duration, roots *x509.CertPool) *Engine {
	c := newHTTPClientTrusting(timeout, roots)
	return &Engine{MinTTL: DefaultMinTTL, Timeout: timeout, Now: time.Now, HTTP: c, Debugf: t.Logf, getenv: func(string) string { return "" }}
}

func spResolved(authority string) *Resolved {
	return &Resolved{
		Context: &store.Context{Name: "sp", Environment: "Fake", Tenant: hostileTenant,
			Account: store.Account{ID: "fake-client", Type: store.AccountServicePrincipal}},
		Env:   &store.Environment{Name: "Fake", Authority: authority + "/"},
		Scope: "https://fake.example/.default", Tenant: hostileTenant, Source: "test",
	}
}

// spAcquire runs the engine's refresh with the real service principal
// source against authority and returns the error as the CLI prints it.
func spAcquire(t *testing.T, e *Engine, authority string) (*Token, error) {
	t.Helper()
	r := spResolved(authority)
	r.Store = store.Open(t.TempDir(), store.NewStaticKeys(keyring.NewArrayKeyring(nil), "array"))
	e.NewSource = func(e *Engine, r *Resolved, _ *store.Secrets, _ *MSALCache) (Source, error) {
		cred, err := confidential.NewCredFromSecret(hostileSecret)
		if err != nil {
			return nil, err
		}
		return &spSource{e: e, env: r.Env, clientID: r.Context.Account.ID, cred: cred}, nil
	}
	return e.Token(context.Background(), r)
}

// Issue 17.3: a token request never follows a redirect to another
// origin, so the client secret stays with the authority.
func TestTokenRequestRedirects(t *testing.T) {
	for _, tt := range []struct {
		name    string
		tlsOn   bool
		path    string // "" redirects to the thief
		wantErr string
	}{
		{"to another https host", true, "", "redirected to https://127.0.0.1:"},
		{"to plain http", false, "", "redirected to http://127.0.0.1:"},
		{"within the authority", true, "/oauth2/v2.0/token2", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			th := newThief(t, tt.tlsOn)
			var auth *httptest.Server
			auth = fakeAuthority(t, func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/token2") {
					fmt.Fprint(w, `{"access_token":"fake-ok","token_type":"Bearer","expires_in":3600}`)
					return
				}
				to := th.srv.URL + r.URL.Path
				if tt.path != "" {
					to = auth.URL + "/" + hostileTenant + tt.path
				}
				http.Redirect(w, r, to, http.StatusTemporaryRedirect)
			})
			tok, err := spAcquire(t, hostileEngine(t, 5*time.Second), auth.URL)
			if th.hits.Load() != 0 || strings.Contains(th.got.Load().(string), hostileSecret) {
				t.Fatalf("the second server got %d requests (secret sent: %v)", th.hits.Load(), strings.Contains(th.got.Load().(string), hostileSecret))
			}
			if tt.wantErr == "" {
				if err != nil || tok.AccessToken != "fake-ok" {
					t.Fatalf("a same-origin redirect: got %v, %v", tok, err)
				}
				return
			}
			if err == nil {
				t.Fatal("got a token through a cross-origin redirect")
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(Hint(err), "authority URL") {
				t.Errorf("error %q (hint %q), want %q and a hint about the authority URL", err, Hint(err), tt.wantErr)
			}
		})
	}
}

// Issue 17.3: a managed identity request keeps X-IDENTITY-HEADER at home,
// and its failures name the managed identity endpoint, not the authority
// (issue 17.12).
func TestManagedIdentityRedirect(t *testing.T) {
	th := newThief(t, false)
	msi := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, th.srv.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	defer msi.Close()
	t.Setenv("IDENTITY_ENDPOINT", msi.URL+"/msi/token")
	t.Setenv("IDENTITY_HEADER", hostileIdentity)
	e := hostileEngine(t, 5*time.Second)
	r := spResolved("https://login.microsoftonline.com")
	r.Context.Account = store.Account{ID: SystemAssignedID, Type: store.AccountManagedIdentity}
	// MSAL's managed identity cache is process-wide: a resource of its own.
	_, err := (&miSource{e: e}).Acquire(context.Background(), "https://mi-redirect.fake.example/.default", "")
	if th.hits.Load() != 0 {
		t.Fatalf("the second server got %d requests (identity header sent: %v)", th.hits.Load(), strings.Contains(th.got.Load().(string), hostileIdentity))
	}
	if err == nil {
		t.Fatal("got a token through a cross-origin redirect")
	}
	err = e.explain(err, r)
	msiHost := strings.TrimPrefix(msi.URL, "http://")
	if !strings.Contains(err.Error(), msiHost) || strings.Contains(err.Error(), "login.microsoftonline.com") {
		t.Errorf("error %q, want it to name %s and not the authority", err, msiHost)
	}
	if !strings.Contains(Hint(err), "IDENTITY_ENDPOINT") {
		t.Errorf("hint %q, want IDENTITY_ENDPOINT", Hint(err))
	}
}

// Issue 17.12: a managed identity endpoint that answers an error is named
// as itself.
func TestManagedIdentityErrorNamesEndpoint(t *testing.T) {
	msi := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":"invalid_request","error_description":"fake: no identity here"}`)
	}))
	defer msi.Close()
	t.Setenv("IDENTITY_ENDPOINT", msi.URL+"/msi/token")
	t.Setenv("IDENTITY_HEADER", hostileIdentity)
	e := hostileEngine(t, 5*time.Second)
	r := spResolved("https://login.microsoftonline.com")
	r.Context.Account = store.Account{ID: SystemAssignedID, Type: store.AccountManagedIdentity}
	_, err := (&miSource{e: e}).Acquire(context.Background(), "https://mi-error.fake.example/.default", "")
	if err == nil {
		t.Fatal("want an error")
	}
	err = e.explain(err, r)
	if msiHost := strings.TrimPrefix(msi.URL, "http://"); !strings.Contains(err.Error(), msiHost) || strings.Contains(err.Error(), "login.microsoftonline.com") {
		t.Errorf("error %q, want it to name %s and not the authority", err, msiHost)
	}
}

// Issue 17.3: Resource Manager calls carry a bearer token; Go keeps the
// Authorization header across a redirect to the same host name on
// another port.
func TestResourceManagerRedirect(t *testing.T) {
	th := newThief(t, true)
	arm := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, th.srv.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	defer arm.Close()
	e := hostileEngine(t, 5*time.Second)
	_, err := e.ListSubscriptions(context.Background(), &store.Environment{Name: "Fake", ResourceManager: arm.URL}, "fake-arm-bearer-token")
	if th.hits.Load() != 0 {
		t.Fatalf("the second server got %d requests (bearer sent: %v)", th.hits.Load(), strings.Contains(th.got.Load().(string), "fake-arm-bearer-token"))
	}
	if err == nil || !strings.Contains(err.Error(), "another origin") || !strings.Contains(Hint(err), "Resource Manager URL") {
		t.Errorf("error %v, want a refused redirect", err)
	}
}

// Issue 17.12: an authority that answers 200 with something that is not
// a token is named, and the hint is not "sign in again".
func TestAuthorityAnswersGarbage(t *testing.T) {
	for name, body := range map[string]string{
		"html":     `<html><body>captive portal</body></html>`,
		"not JSON": "\x00\x01garbage",
	} {
		t.Run(name, func(t *testing.T) {
			auth := fakeAuthority(t, func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, body) })
			_, err := spAcquire(t, hostileEngine(t, 5*time.Second), auth.URL)
			host := strings.TrimPrefix(auth.URL, "https://")
			if err == nil || !strings.Contains(err.Error(), host+" answered something that is not a token") {
				t.Fatalf("error %v, want %s named as answering something that is not a token", err, host)
			}
			if h := Hint(err); strings.Contains(h, "azcred login") || !strings.Contains(h, "authority URL") {
				t.Errorf("hint %q, want the authority URL checked, not a new sign-in", h)
			}
		})
	}
}

// Issue 17.12: a certificate for another host is reported as such, not as
// an unknown authority; an untrusted one as untrusted (15.3).
func TestAuthorityTLSErrors(t *testing.T) {
	auth := fakeAuthority(t, func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"access_token":"fake-ok","token_type":"Bearer","expires_in":3600}`)
	})
	port := auth.URL[strings.LastIndexByte(auth.URL, ':')+1:]
	// The httptest certificate is for 127.0.0.1 and example.com, not localhost.
	_, err := spAcquire(t, hostileEngine(t, 5*time.Second), "https://localhost:"+port)
	if err == nil || !strings.Contains(err.Error(), "for another host") || strings.Contains(err.Error(), "unknown authority") {
		t.Errorf("hostname mismatch: got %v", err)
	}
	// The system's roots do not trust httptest's certificate.
	_, err = spAcquire(t, hostileEngineTrusting(t, 5*time.Second, nil), auth.URL)
	if err == nil || !strings.Contains(err.Error(), "not trusted") || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("untrusted certificate: got %v", err)
	}
}

// 15.3: an authority that sends headers and then trickles its body one
// byte at a time never holds a command past its timeout.
func TestAuthoritySlowloris(t *testing.T) {
	auth := fakeAuthority(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		for {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
	start := time.Now()
	_, err := spAcquire(t, hostileEngine(t, time.Second), auth.URL)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s with a 1s timeout", d)
	}
	if err == nil || !strings.Contains(err.Error(), "did not answer within 1s") {
		t.Errorf("error %v, want a timeout naming the host", err)
	}
}

// 15.3, clock skew: an ACR refresh token's exp is on the registry's clock.
// A registry a year ahead must not keep a dead token cached for a year;
// one behind only shortens the cache.
func TestRegistryClockSkew(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name     string
		iat, exp time.Time
		want     time.Time
	}{
		{"clocks agree", now, now.Add(3 * time.Hour), now.Add(3 * time.Hour)},
		{"registry a year ahead", now.AddDate(1, 0, 0), now.AddDate(1, 0, 0).Add(3 * time.Hour), now.Add(3 * time.Hour)},
		{"registry an hour behind", now.Add(-time.Hour), now.Add(2 * time.Hour), now.Add(2 * time.Hour)},
		{"no iat: exp as it says", time.Time{}, now.Add(5 * time.Hour), now.Add(5 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newACRFixture(t)
			claims := map[string]any{"exp": tt.exp.Unix()}
			if !tt.iat.IsZero() {
				claims["iat"] = tt.iat.Unix()
			}
			rt := fakeJWT(t, claims)
			f.answer = func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintf(w, `{"refresh_token":%q}`, rt) }
			tok, err := f.get(t)
			if err != nil {
				t.Fatal(err)
			}
			if d := tok.ExpiresOn.Sub(tt.want); d < -2*time.Second || d > 2*time.Second {
				t.Errorf("cached until %s, want %s", tok.ExpiresOn.Format(time.RFC3339), tt.want.Format(time.RFC3339))
			}
		})
	}
}

func fakeJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	enc := base64.RawURLEncoding
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + enc.EncodeToString(payload) + ".fake-signature"
}

// 15.3: with HTTPS_PROXY/HTTP_PROXY set, IMDS requests (plain http to a
// link-local address) go direct: a proxy would see the managed identity's
// token in clear text.
func TestLinkLocalBypassesProxy(t *testing.T) {
	proxy, _ := url.Parse("http://proxy.fake.example:3128")
	pick := directToLinkLocal(func(*http.Request) (*url.URL, error) { return proxy, nil })
	for target, want := range map[string]*url.URL{
		"http://169.254.169.254/metadata/identity/oauth2/token": nil,
		"http://[fe80::1]/x": nil,
		"https://login.microsoftonline.com/t/oauth2/v2.0/token": proxy,
		"https://management.azure.com/subscriptions":            proxy,
	} {
		req, _ := http.NewRequest(http.MethodGet, target, nil)
		if got, err := pick(req); err != nil || got != want {
			t.Errorf("%s: proxy %v, %v; want %v", target, got, err, want)
		}
	}
}

// countingSource hands out a fresh fake token and counts the requests.
type countingSource struct{ calls *atomic.Int32 }

func (s countingSource) Acquire(_ context.Context, scope, tenant string) (*Token, error) {
	s.calls.Add(1)
	return &Token{AccessToken: "fake-refreshed", ExpiresOn: time.Now().Add(time.Hour), Tenant: tenant, Scope: scope}, nil
}

// 15.3, clock skew: a cached token with more life left than any token is
// issued with means the clock went back since it was cached; it is
// refreshed, not served.
func TestCachedTokenFromTheFuture(t *testing.T) {
	for _, tt := range []struct {
		name    string
		left    time.Duration
		refresh bool
	}{
		{"an hour left: served", time.Hour, false},
		{"a day left: served", 24 * time.Hour, false},
		{"three days left: the clock went back", 72 * time.Hour, true},
		{"a minute left: refreshed", time.Minute, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := spResolved("https://login.fake.example")
			r.Store = store.Open(t.TempDir(), store.NewStaticKeys(keyring.NewArrayKeyring(nil), "array"))
			if err := r.Store.UpdateSecrets(func(sec *store.Secrets) error {
				sec.Tokens[TokenKey(r)] = store.Token{AccessToken: "fake-cached", ExpiresOn: time.Now().Add(tt.left), Tenant: r.Tenant, Scope: r.Scope}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			var calls atomic.Int32
			e := hostileEngine(t, time.Second)
			e.NewSource = func(*Engine, *Resolved, *store.Secrets, *MSALCache) (Source, error) {
				return countingSource{&calls}, nil
			}
			tok, err := e.Token(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			if got := calls.Load() == 1; got != tt.refresh || (tok.AccessToken == "fake-refreshed") != tt.refresh {
				t.Errorf("refreshed = %v (token %s), want %v", got, tok.AccessToken, tt.refresh)
			}
		})
	}
}

// 15.3, clock skew: a certificate that is not valid at this machine's time
// (expired, or this clock far behind) is named as such, with the clock as
// a suspect, not as an unknown authority.
func TestAuthorityCertificateOutOfDate(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fake expired"},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	_, err = spAcquire(t, hostileEngineTrusting(t, 5*time.Second, roots), srv.URL)
	if err == nil || !strings.Contains(err.Error(), "not valid") || !strings.Contains(err.Error(), "clock") || strings.Contains(err.Error(), "unknown authority") {
		t.Errorf("expired certificate: got %v", err)
	}
}
