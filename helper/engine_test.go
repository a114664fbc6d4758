package helper

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/azcred/azcred/store"
)

// fakeSource is a token source that counts its calls; it answers tok or err.
type fakeSource struct {
	calls int
	tok   *Token
	err   error
	// msal, when set, is written to the MSAL cache as MSAL would after a refresh.
	msal []byte
	// cache is the MSAL cache the engine handed to the source.
	cache *MSALCache
}

func (f *fakeSource) Acquire(_ context.Context, scope, tenant string) (*Token, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	if f.msal != nil {
		f.cache.data, f.cache.changed = f.msal, true
	}
	t := *f.tok
	t.Scope, t.Tenant = scope, tenant
	return &t, nil
}

var engineNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// engineFixture is an engine over a t.TempDir store (file keyring) whose
// source is src, and a resolved user context "work". cached, when its
// AccessToken is set, is in the vault under the context's token key.
func engineFixture(t *testing.T, env map[string]string, src *fakeSource, cached store.Token) (*Engine, *Resolved) {
	t.Helper()
	vars := map[string]string{"AZCRED_CONFIG_DIR": t.TempDir(), "AZCRED_KEYRING_BACKEND": "file"}
	for k, v := range env {
		vars[k] = v
	}
	getenv := func(k string) string { return vars[k] }
	p, err := OpenProfile(getenv)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(p, getenv, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.Now = func() time.Time { return engineNow }
	e.NewSource = func(_ *Engine, _ *Resolved, _ *store.Secrets, cache *MSALCache) (Source, error) {
		src.cache = cache
		return src, nil
	}
	r := &Resolved{
		Context: &store.Context{Name: "work", Tenant: "fake-tenant", Environment: "AzureCloud",
			Account: store.Account{ID: "fake-user@example.invalid", Type: store.AccountUser}},
		Store: p.User, Env: &store.Environment{Name: "AzureCloud", Authority: "https://login.example.test/"},
		Scope: "https://fake.example.test/.default", Tenant: "fake-tenant", Source: "--context",
	}
	if cached.AccessToken != "" {
		writable := store.Open(p.User.Dir(), p.User.Keys()) // seeds the vault even with autosave off
		err := writable.UpdateSecrets(func(sec *store.Secrets) error {
			sec.Tokens[TokenKey(r)] = cached
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return e, r
}

// vaultToken is what the vault holds for r now.
func vaultToken(t *testing.T, r *Resolved) (store.Token, bool) {
	t.Helper()
	sec, err := store.Open(r.Store.Dir(), r.Store.Keys()).Secrets()
	if err != nil {
		t.Fatal(err)
	}
	tok, ok := sec.Tokens[TokenKey(r)]
	return tok, ok
}

func TestEngineToken(t *testing.T) {
	fresh := store.Token{AccessToken: "fake-cached-fresh", ExpiresOn: engineNow.Add(time.Hour), Scope: "s"}
	stale := store.Token{AccessToken: "fake-cached-stale", ExpiresOn: engineNow.Add(2 * time.Minute), Scope: "s"}
	dying := store.Token{AccessToken: "fake-cached-dying", ExpiresOn: engineNow.Add(30 * time.Second), Scope: "s"}
	newTok := &Token{AccessToken: "fake-new-token", ExpiresOn: engineNow.Add(time.Hour)}
	outage := callErr(503, `{"error":"temporarily_unavailable"}`, nil)
	timeout := fmt.Errorf("post: %w", context.DeadlineExceeded)
	grant := callErr(400, `{"error":"invalid_grant","error_description":"AADSTS70043: expired"}`, nil)
	tests := []struct {
		name      string
		env       map[string]string
		cached    store.Token
		src       fakeSource
		want      string // the access token served; "" for an error
		wantErr   string
		wantCalls int
		wantSaved string // the vault's token afterwards; "" for none
	}{
		{name: "a fresh cache hit makes no request", cached: fresh, src: fakeSource{tok: newTok},
			want: "fake-cached-fresh", wantCalls: 0, wantSaved: "fake-cached-fresh"},
		{name: "a stale token refreshes once and is saved", cached: stale, src: fakeSource{tok: newTok},
			want: "fake-new-token", wantCalls: 1, wantSaved: "fake-new-token"},
		{name: "nothing cached refreshes and saves", src: fakeSource{tok: newTok},
			want: "fake-new-token", wantCalls: 1, wantSaved: "fake-new-token"},
		{name: "a 503 serves the cached token", cached: stale, src: fakeSource{err: outage},
			want: "fake-cached-stale", wantCalls: 1, wantSaved: "fake-cached-stale"},
		{name: "a timeout serves the cached token", cached: stale, src: fakeSource{err: timeout},
			want: "fake-cached-stale", wantCalls: 1, wantSaved: "fake-cached-stale"},
		{name: "a 503 without a cached token fails", src: fakeSource{err: outage},
			wantErr: "login.example.test answered HTTP 503", wantCalls: 1},
		{name: "a 503 with under a minute left fails", cached: dying, src: fakeSource{err: outage},
			wantErr: "login.example.test answered HTTP 503", wantCalls: 1, wantSaved: "fake-cached-dying"},
		{name: "invalid_grant fails at once despite a cached token", cached: stale, src: fakeSource{err: grant},
			wantErr: "needs you again", wantCalls: 1, wantSaved: "fake-cached-stale"},
		{name: "autosave off saves nothing", env: map[string]string{"AZCRED_AUTOSAVE": "off"}, src: fakeSource{tok: newTok},
			want: "fake-new-token", wantCalls: 1},
		{name: "a token over the size limit is not served or cached", src: fakeSource{tok: &Token{AccessToken: "fake-" + strings.Repeat("x", maxTokenSize), ExpiresOn: engineNow.Add(time.Hour)}},
			wantErr: "over azcred's limit", wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			e, r := engineFixture(t, tt.env, &src, tt.cached)
			tok, err := e.Token(context.Background(), r)
			switch {
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.wantErr == "" && tok.AccessToken != tt.want:
				t.Errorf("served %q, want %q", tok.AccessToken, tt.want)
			}
			if src.calls != tt.wantCalls {
				t.Errorf("Acquire called %d times, want %d", src.calls, tt.wantCalls)
			}
			saved, ok := vaultToken(t, r)
			if got := saved.AccessToken; got != tt.wantSaved || ok != (tt.wantSaved != "") {
				t.Errorf("vault holds %q (present %v), want %q", got, ok, tt.wantSaved)
			}
		})
	}
}

// A refreshed token is served from the vault next time, and MSAL's
// updated cache (the refresh token) is saved with it.
func TestEngineSaveThenHit(t *testing.T) {
	src := &fakeSource{tok: &Token{AccessToken: "fake-new-token", ExpiresOn: engineNow.Add(time.Hour)}, msal: []byte(`{"fake":"msal cache"}`)}
	e, r := engineFixture(t, nil, src, store.Token{})
	for i := 0; i < 2; i++ {
		tok, err := e.Token(context.Background(), r)
		if err != nil || tok.AccessToken != "fake-new-token" || tok.FromCache != (i == 1) {
			t.Fatalf("call %d: %+v, %v", i+1, tok, err)
		}
	}
	if src.calls != 1 {
		t.Errorf("Acquire called %d times, want 1", src.calls)
	}
	sec, err := r.Store.Secrets()
	if err != nil {
		t.Fatal(err)
	}
	if got := string(sec.MSAL[MSALPartition(r.Context)]); got != `{"fake":"msal cache"}` {
		t.Errorf("MSAL cache saved as %q", got)
	}
	if tok := sec.Tokens[TokenKey(r)]; tok.Scope != r.Scope || tok.Tenant != r.Tenant {
		t.Errorf("saved token has scope %q tenant %q", tok.Scope, tok.Tenant)
	}
}

// A failed refresh is remembered: the second call within FailMemory fails
// the same way without asking the source again, and after it tries again.
func TestEngineFailureMemory(t *testing.T) {
	src := &fakeSource{err: callErr(400, `{"error":"invalid_grant","error_description":"AADSTS70043: expired"}`, nil)}
	e, r := engineFixture(t, nil, src, store.Token{})
	_, first := e.Token(context.Background(), r)
	_, second := e.Token(context.Background(), r)
	if first == nil || second == nil {
		t.Fatalf("errors: %v, %v", first, second)
	}
	if src.calls != 1 {
		t.Errorf("Acquire called %d times, want 1 (the second call must be remembered)", src.calls)
	}
	if !strings.Contains(second.Error(), "needs you again") || !strings.Contains(second.Error(), "not tried again") {
		t.Errorf("second error = %q", second)
	}
	if Hint(second) != Hint(first) || Hint(first) == "" {
		t.Errorf("hints differ: %q then %q", Hint(first), Hint(second))
	}
	e.Now = func() time.Time { return engineNow.Add(FailMemory + time.Second) }
	if _, err := e.Token(context.Background(), r); err == nil || src.calls != 2 {
		t.Errorf("after FailMemory: err %v, %d calls, want a new attempt", err, src.calls)
	}
}
