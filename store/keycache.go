package store

// The session key cache: the unwrapped vault key, kept for a while in the
// kernel keyring of the login session (Linux), so that a warm git,
// kubectl or docker call neither talks D-Bus to the Secret Service nor
// re-runs the passphrase KDF. Rules:
//   - the root of trust stays the backend the user chose: a cache miss,
//     an expired entry or a key that no longer opens the vault goes back
//     to it (a stale key is dropped and the backend asked once);
//   - an entry is sealed (AES-GCM) under a key derived from the keyring
//     passphrase, when there is one, so that a wrong passphrase finds
//     nothing and falls through to the keyring, which refuses it;
//   - entries expire (AZCRED_KEYRING_CACHE, default 15m) and are dropped
//     by logout, `context clear` and `azcred lock`;
//   - the cache is best effort: any failure is a miss, never an error.
// The threat model is in the README (section "Where the vault key lives").

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"
)

// errWrongKey: the vault key at hand does not decrypt the vault.
var errWrongKey = errors.New("the vault key does not open the vault")

const (
	defaultCacheTTL = 15 * time.Minute
	cachePrefix     = "azcred:"
)

// sessionCache is where cached keys live: the kernel keyring on Linux.
type sessionCache interface {
	get(desc string) ([]byte, bool)
	put(desc string, payload []byte, ttl time.Duration)
	drop(desc string)
	// dropPrefix drops every entry whose description starts with prefix
	// and says how many it dropped.
	dropPrefix(prefix string) (int, error)
	// where names the cache for `azcred doctor`.
	where() string
}

// cachedKeys is a KeySource with the session cache in front of a keyring.
type cachedKeys struct {
	mu      sync.Mutex // guards mem and cached
	inner   KeySource
	cache   sessionCache
	dirTag  string
	backend string
	seal    cipher.AEAD
	ttl     time.Duration
	mem     map[string][]byte // keys this process already has, by vault id
	cached  map[string]bool   // ids whose key came from the cache
}

var _ KeySource = (*cachedKeys)(nil)

// withCache puts the session cache in front of k where it helps: backends
// that cost a D-Bus conversation, a gpg run or a KDF per call. keyctl is
// already the kernel keyring; Keychain and Credential Manager are the
// OS's own cache.
func withCache(k *KeyringKeys, dir, backend, passphrase string, getenv Getenv) (KeySource, error) {
	ttl, err := envDuration(getenv, "AZCRED_KEYRING_CACHE", defaultCacheTTL)
	if err != nil {
		return nil, err
	}
	switch backend {
	case "secret-service", "kwallet", "pass", "file":
	default:
		return k, nil
	}
	cache := openSessionCache()
	switch {
	case ttl == 0:
		k.info.Cache = "off (AZCRED_KEYRING_CACHE=0): every call asks the keyring"
		return k, nil
	case cache == nil:
		k.info.Cache = "none on " + goos() + ": every call asks the keyring"
		return k, nil
	}
	k.info.Cache = fmt.Sprintf("the unwrapped key is kept in %s for %s (AZCRED_KEYRING_CACHE); 'azcred lock' drops it", cache.where(), ttl)
	sum := sha256.Sum256([]byte(dir))
	return &cachedKeys{inner: k, cache: cache, dirTag: hex.EncodeToString(sum[:8]), backend: backend,
		seal: sealKey(passphrase), ttl: ttl, mem: map[string][]byte{}, cached: map[string]bool{}}, nil
}

// sealKey derives the key entries are sealed with. Without a passphrase
// it is a constant: the entry is then as readable as the keyring it came
// from, to the same user.
func sealKey(passphrase string) cipher.AEAD {
	m := hmac.New(sha256.New, []byte("azcred session key cache v1"))
	m.Write([]byte(passphrase))
	block, _ := aes.NewCipher(m.Sum(nil))
	gcm, _ := cipher.NewGCM(block)
	return gcm
}

// desc names the entry of one vault: store directory, vault id, backend.
func (c *cachedKeys) desc(id string) string {
	return cachePrefix + c.dirTag + ":" + id + ":" + c.backend
}

// VaultKey implements KeySource.
func (c *cachedKeys) VaultKey(id string, create bool) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if key, ok := c.mem[id]; ok {
		return key, nil
	}
	desc := c.desc(id)
	if p, ok := c.cache.get(desc); ok && len(p) > c.seal.NonceSize() {
		n := c.seal.NonceSize()
		if key, err := c.seal.Open(nil, p[:n], p[n:], []byte(desc)); err == nil && len(key) == 32 {
			c.mem[id], c.cached[id] = key, true
			return key, nil
		}
	}
	key, err := c.inner.VaultKey(id, create)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, c.seal.NonceSize())
	rand.Read(nonce)
	c.cache.put(desc, c.seal.Seal(nonce, nonce, key, []byte(desc)), c.ttl)
	c.mem[id] = key
	return key, nil
}

// dropStale forgets a cached key that did not open the vault; it reports
// whether asking the keyring again may help.
func (c *cachedKeys) dropStale(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.cached[id] {
		return false
	}
	c.cache.drop(c.desc(id))
	delete(c.mem, id)
	delete(c.cached, id)
	return true
}

// RemoveVaultKey implements KeySource.
func (c *cachedKeys) RemoveVaultKey(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cache.drop(c.desc(id))
	delete(c.mem, id)
	c.inner.RemoveVaultKey(id)
}

// Describe implements KeySource.
func (c *cachedKeys) Describe() KeyInfo { return c.inner.Describe() }

func (c *cachedKeys) dropCached() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, _ := c.cache.dropPrefix(cachePrefix + c.dirTag + ":")
	clear(c.mem)
	clear(c.cached)
	return n
}

// DropCachedKeys drops this store's vault keys from the session cache
// (logout, `azcred lock`): the next call asks the keyring, or the
// passphrase, again. It says how many it dropped and from where; where is
// "" when this store's key source has no cache.
func (s *Store) DropCachedKeys() (n int, where string) {
	c, ok := s.keys.(*cachedKeys)
	if !ok {
		return 0, ""
	}
	return c.dropCached(), c.cache.where()
}

// openVaultWith decrypts with the vault key of id. A key from the session
// cache that does not open it is dropped and the keyring asked, once.
// errWrongKey means no key opened it.
func openVaultWith(keys KeySource, id string, open func(cipher.AEAD) ([]byte, error)) ([]byte, error) {
	for try := 0; ; try++ {
		key, err := keys.VaultKey(id, false)
		if err != nil {
			return nil, err
		}
		gcm, err := newGCM(key)
		if err != nil {
			return nil, err
		}
		plain, err := open(gcm)
		if err == nil {
			return plain, nil
		}
		if c, ok := keys.(*cachedKeys); !ok || try > 0 || !c.dropStale(id) {
			return nil, errWrongKey
		}
	}
}
