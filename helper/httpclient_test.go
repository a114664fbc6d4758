package helper

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/keyring"

	"github.com/azcred/azcred/store"
)

// TestHTTPBodiesAreBounded: an authority that answers a token request with
// 200 MB gets an error after maxResponseBody bytes, not our memory.
func TestHTTPBodiesAreBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/small" {
			io.WriteString(w, strings.Repeat("x", maxResponseBody))
			return
		}
		io.WriteString(w, `{"token_type":"Bearer","access_token":"`)
		chunk := strings.Repeat("A", 1<<20)
		for i := 0; i < 200; i++ { // 200 MB, written as the client reads
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
		io.WriteString(w, `"}`)
	}))
	defer srv.Close()
	c := NewHTTPClient(10 * time.Second)

	resp, err := c.Post(srv.URL+"/token", "application/x-www-form-urlencoded", strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, errBodyTooLarge) || len(b) > maxResponseBody {
		t.Errorf("read %d bytes, err %v; want %v after at most %d bytes", len(b), err, errBodyTooLarge, maxResponseBody)
	}

	// A body of exactly the limit is read whole.
	resp, err = c.Get(srv.URL + "/small")
	if err != nil {
		t.Fatal(err)
	}
	b, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || len(b) != maxResponseBody {
		t.Errorf("small body: %d bytes, %v", len(b), err)
	}
}

type bigSource struct{ size int }

func (s bigSource) Acquire(context.Context, string, string) (*Token, error) {
	return &Token{AccessToken: strings.Repeat("A", s.size), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// TestOversizedTokenIsNotCached: a token over maxTokenSize is an error and
// never reaches the vault.
func TestOversizedTokenIsNotCached(t *testing.T) {
	s := store.Open(t.TempDir(), store.NewStaticKeys(keyring.NewArrayKeyring(nil), "array"))
	c := &store.Context{Name: "sp", Account: store.Account{ID: "sp", Type: store.AccountServicePrincipal}, Tenant: "t", Environment: "AzureCloud"}
	r := &Resolved{Context: c, Store: s, Scope: DevOpsScope, Tenant: "t"}
	e := &Engine{MinTTL: DefaultMinTTL, Timeout: 5 * time.Second, Now: time.Now, Debugf: func(string, ...any) {},
		NewSource: func(*Engine, *Resolved, *store.Secrets, *MSALCache) (Source, error) {
			return bigSource{maxTokenSize + 1}, nil
		}}
	if _, err := e.Token(context.Background(), r); err == nil || !strings.Contains(err.Error(), "not used or cached") {
		t.Fatalf("err = %v, want the token refused", err)
	}
	sec, err := s.Secrets()
	if err != nil {
		t.Fatal(err)
	}
	if len(sec.Tokens) != 0 {
		t.Errorf("the oversized token was cached")
	}
	e.NewSource = func(*Engine, *Resolved, *store.Secrets, *MSALCache) (Source, error) { return bigSource{4096}, nil }
	if _, err := e.Token(context.Background(), r); err != nil {
		t.Errorf("a 4 KB token: %v", err)
	}
}
