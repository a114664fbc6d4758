package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/99designs/keyring"
)

// mapCache is a sessionCache in memory.
type mapCache map[string][]byte

func (m mapCache) get(d string) ([]byte, bool)             { p, ok := m[d]; return p, ok }
func (m mapCache) put(d string, p []byte, _ time.Duration) { m[d] = p }
func (m mapCache) drop(d string)                           { delete(m, d) }
func (m mapCache) where() string                           { return "a map" }
func (m mapCache) dropPrefix(prefix string) (n int, err error) {
	for d := range m {
		if strings.HasPrefix(d, prefix) {
			delete(m, d)
			n++
		}
	}
	return n, nil
}

// countingKeys is a keyring-backed KeySource that counts its lookups.
type countingKeys struct {
	KeySource
	gets int
}

func (c *countingKeys) VaultKey(id string, create bool) ([]byte, error) {
	c.gets++
	return c.KeySource.VaultKey(id, create)
}

func cached(inner KeySource, cache sessionCache, pass string) *cachedKeys {
	return &cachedKeys{inner: inner, cache: cache, dirTag: "d", backend: "test", seal: sealKey(pass),
		ttl: time.Minute, mem: map[string][]byte{}, cached: map[string]bool{}}
}

// writeVault makes a vault in dir through keys and returns its id.
func writeTestVault(t *testing.T, dir string, keys KeySource) string {
	t.Helper()
	s := Open(dir, keys)
	if err := s.UpdateSecrets(func(sec *Secrets) error {
		sec.Docker["r"] = DockerCredential{Username: "u", Secret: "fake-secret"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	v, err := s.readVault()
	if err != nil {
		t.Fatal(err)
	}
	return v.id
}

func TestCacheServesWarmCallsWithoutTheKeyring(t *testing.T) {
	dir := t.TempDir()
	ring := &countingKeys{KeySource: NewStaticKeys(keyring.NewArrayKeyring(nil), "test")}
	cache := mapCache{}
	writeTestVault(t, dir, cached(ring, cache, ""))
	ring.gets = 0
	for i := 0; i < 3; i++ { // three processes
		if _, err := Open(dir, cached(ring, cache, "")).Secrets(); err != nil {
			t.Fatal(err)
		}
	}
	if ring.gets != 0 {
		t.Errorf("keyring asked %d times on warm calls, want 0", ring.gets)
	}
}

func TestStaleCachedKeyIsDroppedAndKeyringAskedOnce(t *testing.T) {
	dir := t.TempDir()
	ring := &countingKeys{KeySource: NewStaticKeys(keyring.NewArrayKeyring(nil), "test")}
	cache := mapCache{}
	id := writeTestVault(t, dir, cached(ring, cache, ""))

	// Another key under this vault's name: the cache is stale.
	other := cached(NewStaticKeys(keyring.NewArrayKeyring(nil), "test"), cache, "")
	delete(cache, other.desc(id))
	if _, err := other.VaultKey(id, true); err != nil {
		t.Fatal(err)
	}
	stale := append([]byte(nil), cache[other.desc(id)]...)

	ring.gets = 0
	sec, err := Open(dir, cached(ring, cache, "")).Secrets()
	if err != nil || sec.Docker["r"].Secret != "fake-secret" {
		t.Fatalf("stale cache: %v", err)
	}
	if ring.gets != 1 {
		t.Errorf("keyring asked %d times, want 1", ring.gets)
	}
	if string(cache[other.desc(id)]) == string(stale) {
		t.Error("the stale entry was not replaced")
	}

	// A keyring whose key is wrong too: asked once, then the vault is
	// reported undecryptable (no loop).
	cache[other.desc(id)] = stale
	wrong := &countingKeys{KeySource: other.inner}
	_, err = Open(dir, cached(wrong, cache, "")).Secrets()
	var ce *CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("want CorruptError, got %v", err)
	}
	if wrong.gets != 1 {
		t.Errorf("keyring asked %d times, want 1", wrong.gets)
	}
}

func TestCachedKeyNeedsThePassphrase(t *testing.T) {
	dir := t.TempDir()
	cache := mapCache{}
	ring := &countingKeys{KeySource: NewStaticKeys(keyring.NewArrayKeyring(nil), "test")}
	writeTestVault(t, dir, cached(ring, cache, "fake-right"))
	if len(cache) != 1 {
		t.Fatalf("cache has %d entries, want 1", len(cache))
	}
	// A wrong passphrase does not unseal the entry: the keyring is asked
	// (here it answers, standing in for one that checks the passphrase).
	ring.gets = 0
	if _, err := Open(dir, cached(ring, cache, "fake-wrong")).Secrets(); err != nil {
		t.Fatal(err)
	}
	if ring.gets != 1 {
		t.Errorf("wrong passphrase: keyring asked %d times, want 1 (the cache must not answer)", ring.gets)
	}
}

func TestLogoutAndLockDropOnlyThisStore(t *testing.T) {
	cache := mapCache{"azcred:other:x:test": []byte("x")}
	ring := NewStaticKeys(keyring.NewArrayKeyring(nil), "test")
	s := Open(t.TempDir(), cached(ring, cache, ""))
	if _, err := s.keys.VaultKey("0123", true); err != nil {
		t.Fatal(err)
	}
	if n, where := s.DropCachedKeys(); n != 1 || where != "a map" {
		t.Errorf("DropCachedKeys = %d, %q", n, where)
	}
	if _, ok := cache["azcred:other:x:test"]; !ok || len(cache) != 1 {
		t.Errorf("another store's entry was dropped: %v", cache)
	}
}

// hangingRing never answers, like a D-Bus peer that accepted and went quiet.
type hangingRing struct{ keyring.Keyring }

func (hangingRing) Get(string) (keyring.Item, error) { select {} }

func TestKeyringCallsAreBounded(t *testing.T) {
	k := NewStaticKeys(hangingRing{}, "secret-service")
	k.timeout = 50 * time.Millisecond
	start := time.Now()
	_, err := k.VaultKey("0123", false)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
	want := "keyring secret-service: no answer within 50ms (AZCRED_KEYRING_TIMEOUT); unlock your keyring"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %v, want prefix %q", err, want)
	}
}
