package fakecloud

// The fake Azure Container Registry: an in-memory OCI registry
// (go-containerregistry's pkg/registry) behind ACR's two-step token flow
// (https://github.com/Azure/acr/blob/main/docs/AAD-OAuth.md):
//
//  1. POST /oauth2/exchange trades an Entra access token for
//     https://containerregistry.azure.net for an ACR refresh token;
//  2. /oauth2/token trades that refresh token (as an OAuth form, or as the
//     Basic password of user 00000000-0000-0000-0000-000000000000, which is
//     what docker and crane send with credential-helper credentials) for an
//     access token scoped to repositories and actions;
//  3. /v2/... accepts only such access tokens and answers anything else with
//     ACR's Bearer challenge, naming the scope the request needs.
//
// Counters: "acr-"+Name counts every request to the registry, and
// "acr-exchange", "acr-token" and "registry" (shared by all ACRs of a Cloud)
// count the three endpoints; each of those names is also a SetFault target
// that affects only its endpoint.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// ACRResource is the audience of the Entra tokens ACR's exchange accepts.
const ACRResource = "https://containerregistry.azure.net"

// ACRRefreshUser is the user name that goes with an ACR refresh token used
// as a password.
const ACRRefreshUser = "00000000-0000-0000-0000-000000000000"

const (
	acrRefreshLifetime = 3 * time.Hour
	acrAccessLifetime  = 75 * time.Minute // what ACR issues
	acrMaxForm         = 1 << 20
)

// ACR is a running fake Azure Container Registry.
type ACR struct {
	Name string
	URL  string // https://127.0.0.1:PORT
	Host string // 127.0.0.1:PORT, also the token service name and the tokens' iss/aud

	cloud    *Cloud
	registry http.Handler
}

// StartACR starts a fake registry called name (only used in counter names).
func (c *Cloud) StartACR(name string) (*ACR, error) {
	if name == "" {
		return nil, errors.New("fakecloud: acr: empty name")
	}
	a := &ACR{Name: name, cloud: c, registry: registry.New(registry.Logger(log.New(io.Discard, "", 0)))}
	mux := http.NewServeMux()
	mux.Handle("/oauth2/exchange", c.service("acr-exchange", http.HandlerFunc(a.exchange)))
	mux.Handle("/oauth2/token", c.service("acr-token", http.HandlerFunc(a.token)))
	mux.Handle("/v2/", c.service("registry", http.HandlerFunc(a.v2)))
	srv, err := c.Serve("acr-"+name, mux)
	if err != nil {
		return nil, fmt.Errorf("fakecloud: acr: %w", err)
	}
	a.URL, a.Host = srv.URL, srv.Host
	return a, nil
}

// Seed pushes a small random image to repo:tag, bypassing authentication
// and the counters, and returns its manifest digest.
func (a *ACR) Seed(repo, tag string) (string, error) {
	ref, err := name.NewTag(a.Host+"/"+repo+":"+tag, name.StrictValidation)
	if err != nil {
		return "", fmt.Errorf("fakecloud: acr: seed: %w", err)
	}
	img, err := random.Image(512, 1)
	if err != nil {
		return "", fmt.Errorf("fakecloud: acr: seed: %w", err)
	}
	if err := remote.Write(ref, img, remote.WithTransport(inProcess{a.registry})); err != nil {
		return "", fmt.Errorf("fakecloud: acr: seed: %w", err)
	}
	d, err := img.Digest()
	if err != nil {
		return "", fmt.Errorf("fakecloud: acr: seed: %w", err)
	}
	return d.String(), nil
}

// exchange is POST /oauth2/exchange: an Entra access token in, an ACR
// refresh token out.
func (a *ACR) exchange(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		acrError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "use POST")
		return
	}
	form, err := a.form(r)
	if err != nil {
		acrError(w, http.StatusBadRequest, "BAD_REQUEST", err.Error())
		return
	}
	if g := form.Get("grant_type"); g != "access_token" {
		acrError(w, http.StatusBadRequest, "UNSUPPORTED", fmt.Sprintf("unsupported grant_type %q", g))
		return
	}
	if form.Get("access_token") == "" {
		acrError(w, http.StatusBadRequest, "BAD_REQUEST", "access_token is missing")
		return
	}
	if s := form.Get("service"); s != a.Host {
		acrError(w, http.StatusUnauthorized, "UNAUTHORIZED", fmt.Sprintf("service %q is not %q", s, a.Host))
		return
	}
	claims, err := a.cloud.Verify(form.Get("access_token"), ACRResource)
	if err != nil {
		acrError(w, http.StatusUnauthorized, "UNAUTHORIZED", "the access token is not valid for "+ACRResource)
		return
	}
	if t := form.Get("tenant"); t != "" && t != claims.Tenant {
		acrError(w, http.StatusUnauthorized, "UNAUTHORIZED", "the access token is for another tenant")
		return
	}
	subject := claims.ObjectID
	if subject == "" {
		subject = claims.Subject
	}
	now := time.Now()
	rt, err := a.cloud.Sign(map[string]any{
		"jti":        newGUID(),
		"sub":        subject,
		"tenant":     claims.Tenant,
		"iss":        a.Host,
		"aud":        a.Host,
		"iat":        now.Unix(),
		"nbf":        now.Add(-time.Minute).Unix(),
		"exp":        now.Add(acrRefreshLifetime).Unix(),
		"grant_type": "refresh_token",
		"version":    "1.0",
	})
	if err != nil {
		acrError(w, http.StatusInternalServerError, "INTERNAL", "cannot sign")
		return
	}
	writeACRJSON(w, http.StatusOK, map[string]string{"refresh_token": rt})
}

// token is /oauth2/token: an ACR refresh token in (OAuth form, or the Basic
// password of ACRRefreshUser), an access token for the asked scopes out.
func (a *ACR) token(w http.ResponseWriter, r *http.Request) {
	var rt string
	var form url.Values
	switch r.Method {
	case http.MethodGet:
		user, pw, ok := r.BasicAuth()
		if !ok || user != ACRRefreshUser {
			a.tokenChallenge(w, "basic credentials of "+ACRRefreshUser+" are required")
			return
		}
		rt, form = pw, r.URL.Query()
	case http.MethodPost:
		var err error
		if form, err = a.form(r); err != nil {
			acrError(w, http.StatusBadRequest, "BAD_REQUEST", err.Error())
			return
		}
		switch g := form.Get("grant_type"); g {
		case "refresh_token":
			rt = form.Get("refresh_token")
		case "password":
			if form.Get("username") != ACRRefreshUser {
				a.tokenChallenge(w, "unknown user")
				return
			}
			rt = form.Get("password")
		default:
			acrError(w, http.StatusBadRequest, "UNSUPPORTED", fmt.Sprintf("unsupported grant_type %q", g))
			return
		}
	default:
		acrError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "use GET or POST")
		return
	}
	if s := form.Get("service"); s != a.Host {
		acrError(w, http.StatusUnauthorized, "UNAUTHORIZED", fmt.Sprintf("service %q is not %q", s, a.Host))
		return
	}
	claims, err := a.verifyOwn(rt, "refresh_token")
	if err != nil {
		a.tokenChallenge(w, "the refresh token is not valid")
		return
	}
	// Every scope asked for is granted: the fake has no role assignments.
	var access []map[string]any
	for _, s := range form["scope"] {
		for _, f := range strings.Fields(s) {
			typ, name, actions, ok := parseACRScope(f)
			if !ok {
				acrError(w, http.StatusBadRequest, "BAD_REQUEST", fmt.Sprintf("bad scope %q", f))
				return
			}
			access = append(access, map[string]any{"type": typ, "name": name, "actions": actions})
		}
	}
	now := time.Now()
	at, err := a.cloud.Sign(map[string]any{
		"jti":        newGUID(),
		"sub":        claims.Subject,
		"tenant":     claims.Raw["tenant"],
		"iss":        a.Host,
		"aud":        a.Host,
		"iat":        now.Unix(),
		"nbf":        now.Add(-time.Minute).Unix(),
		"exp":        now.Add(acrAccessLifetime).Unix(),
		"grant_type": "access_token",
		"access":     access,
		"version":    "1.0",
	})
	if err != nil {
		acrError(w, http.StatusInternalServerError, "INTERNAL", "cannot sign")
		return
	}
	writeACRJSON(w, http.StatusOK, map[string]string{"access_token": at})
}

// v2 is the registry API: it passes requests whose access token grants the
// repository and action they need to the in-memory registry.
func (a *ACR) v2(w http.ResponseWriter, r *http.Request) {
	typ, repo, action := acrNeed(r)
	if a.allowed(r, typ, repo, action) {
		a.registry.ServeHTTP(w, r)
		return
	}
	challenge := `Bearer realm="` + a.URL + `/oauth2/token",service="` + a.Host + `"`
	if repo != "" {
		scope := action
		if action == "push" {
			scope = "pull,push"
		}
		challenge += `,scope="` + typ + ":" + repo + ":" + scope + `"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	detail := []map[string]string{}
	if repo != "" {
		detail = append(detail, map[string]string{"Type": typ, "Name": repo, "Action": action})
	}
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{ //nolint:errcheck // the client hung up
		"code":    "UNAUTHORIZED",
		"message": "authentication required, visit https://aka.ms/acr/authorization for more information.",
		"detail":  detail,
	}}})
}

// allowed reports whether the request's Bearer token is an access token of
// this registry that grants action on typ:repo (any valid one when repo is
// empty, as for /v2/).
func (a *ACR) allowed(r *http.Request, typ, repo, action string) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	claims, err := a.verifyOwn(strings.TrimSpace(tok), "access_token")
	if err != nil {
		return false
	}
	if repo == "" {
		return true
	}
	grants, _ := claims.Raw["access"].([]any)
	for _, g := range grants {
		m, _ := g.(map[string]any)
		if m["type"] != typ || m["name"] != repo {
			continue
		}
		actions, _ := m["actions"].([]any)
		if slices.Contains(actions, any(action)) || slices.Contains(actions, any("*")) {
			return true
		}
	}
	return false
}

// verifyOwn checks that token is one this registry issued of the given
// grant_type (its refresh and access tokens share iss and aud).
func (a *ACR) verifyOwn(token, grant string) (*Claims, error) {
	if token == "" {
		return nil, errors.New("no token")
	}
	claims, err := a.cloud.Verify(token, a.Host)
	if err != nil {
		return nil, err
	}
	if claims.Issuer != a.Host || claims.Raw["grant_type"] != grant {
		return nil, fmt.Errorf("not an acr %s", grant)
	}
	return claims, nil
}

func (a *ACR) tokenChallenge(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Basic realm="`+a.URL+`/oauth2/token"`)
	acrError(w, http.StatusUnauthorized, "UNAUTHORIZED", msg)
}

func (a *ACR) form(r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, acrMaxForm)
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("bad form: %w", err)
	}
	return r.PostForm, nil
}

// acrNeed names the scope a registry request needs: the resource type, the
// repository ("" for /v2/ itself) and the action.
func acrNeed(r *http.Request) (typ, repo, action string) {
	rest := strings.TrimPrefix(r.URL.Path, "/v2/")
	if rest == "" {
		return "", "", ""
	}
	if rest == "_catalog" {
		return "registry", "catalog", "*"
	}
	action = "push"
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		action = "pull"
	case http.MethodDelete:
		action = "delete"
	}
	// The repository is what precedes the last API keyword; what follows a
	// keyword (a digest, a tag, an upload id, "list") never contains one.
	cut := -1
	for _, kw := range []string{"/manifests/", "/blobs/", "/tags/", "/referrers/"} {
		cut = max(cut, strings.LastIndex(rest, kw))
	}
	if cut <= 0 {
		return "repository", rest, action
	}
	return "repository", rest[:cut], action
}

// parseACRScope splits type:name:actions; the name may itself hold colons
// (a registry host with a port), the type and actions may not.
func parseACRScope(s string) (typ, name string, actions []string, ok bool) {
	i, j := strings.Index(s, ":"), strings.LastIndex(s, ":")
	if i <= 0 || j <= i+1 || j == len(s)-1 {
		return "", "", nil, false
	}
	return s[:i], s[i+1 : j], strings.Split(s[j+1:], ","), true
}

func acrError(w http.ResponseWriter, status int, code, msg string) {
	writeACRJSON(w, status, map[string]any{"errors": []map[string]string{{"code": code, "message": msg}}})
}

func writeACRJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client hung up
}

// inProcess is a RoundTripper that serves requests with a handler directly,
// so Seed reaches the registry without TLS, tokens or counters.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil {
		r = r.Clone(r.Context())
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r // clients resolve relative Location headers against it
	return resp, nil
}
