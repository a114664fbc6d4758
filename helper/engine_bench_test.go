package helper

import (
	"context"
	"testing"
	"time"

	"github.com/99designs/keyring"

	"github.com/azcred/azcred/store"
)

// BenchmarkTokenCacheHit is the in-process cache-hit path: read the vault,
// decrypt it, find a fresh token. No MSAL client, no network.
func BenchmarkTokenCacheHit(b *testing.B) {
	s := store.Open(b.TempDir(), store.NewStaticKeys(keyring.NewArrayKeyring(nil), "array"))
	c := &store.Context{Name: "bench", Account: store.Account{ID: "sp", Type: store.AccountServicePrincipal}, Tenant: "t", Environment: "AzureCloud"}
	r := &Resolved{Context: c, Store: s, Scope: DevOpsScope, Tenant: "t"}
	err := s.UpdateSecrets(func(sec *store.Secrets) error {
		sec.Tokens[TokenKey(r)] = store.Token{AccessToken: "fake-bench-token", ExpiresOn: time.Now().Add(time.Hour)}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	e := &Engine{MinTTL: DefaultMinTTL, Timeout: time.Second, Now: time.Now, Debugf: func(string, ...any) {},
		NewSource: func(*Engine, *Resolved, *store.Secrets, *MSALCache) (Source, error) {
			b.Fatal("a cache hit must not build a token source")
			return nil, nil
		}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tok, err := e.Token(context.Background(), r)
		if err != nil || !tok.FromCache {
			b.Fatalf("not a cache hit: %v", err)
		}
	}
}
