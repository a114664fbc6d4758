package store

// Cached access tokens and ACR refresh tokens live apart from the bulk
// vault, one small encrypted record per key under tokens/, so that a warm
// call reads and decrypts one record whatever else the store holds.
//
// Rules:
//   - a record is "AZCREDR1", the vault id, a GCM nonce, then AES-256-GCM
//     ciphertext of one Token or RegistryToken, sealed with the vault's key;
//     magic, vault id and the record's file name are authenticated, so a
//     record cannot be renamed to answer for another key or moved to a
//     vault with another key;
//   - records are written and removed only under the store lock, each by an
//     atomic rename, inside UpdateAll after the bulk vault is written; reads
//     take no lock;
//   - a record that cannot be read or decrypted is a cache miss (the token
//     is fetched again and the record rewritten), never an error: a cache
//     failure never fails a request;
//   - a record is named by its kind and a hash of its key; the same name is
//     the key's refresh lock under locks/, and a lock whose key has no
//     record is removed, under that lock, when the store is next written.
//
// A vault.bin written by an older azcred holds its tokens inside the bulk
// (schema 1): they are read from there, and moved to records on the next
// write, which the first full read (Secrets) makes.

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

var recordMagic = []byte("AZCREDR1")

const (
	kindToken    = "t"
	kindRegistry = "r"
)

func (s *Store) recordDir() string { return filepath.Join(s.dir, "tokens") }
func (s *Store) lockDir() string   { return filepath.Join(s.dir, "locks") }

// recordName names the record (and the refresh lock) of key.
func recordName(kind, key string) string {
	k := sha256.Sum256([]byte(key))
	return kind + "-" + hex.EncodeToString(k[:12])
}

// CachedToken reads the cached access token of key (TokenKey) from its
// record; false on a miss or any problem with the record.
func (s *Store) CachedToken(key string) (Token, bool) {
	var t Token
	return t, s.readRecord(recordName(kindToken, key), &t) == nil
}

// CachedRegistry reads the cached ACR refresh token of key (RegistryKey).
func (s *Store) CachedRegistry(key string) (RegistryToken, bool) {
	var t RegistryToken
	return t, s.readRecord(recordName(kindRegistry, key), &t) == nil
}

// LockToken takes the cross-process refresh lock of token key, so N
// processes that need the same expired token make one request.
func (s *Store) LockToken(ctx context.Context, key string) (unlock func(), err error) {
	return s.LockKey(ctx, recordName(kindToken, key))
}

// LockRegistry takes the refresh lock of registry key.
func (s *Store) LockRegistry(ctx context.Context, key string) (unlock func(), err error) {
	return s.LockKey(ctx, recordName(kindRegistry, key))
}

func (s *Store) readRecord(name string, v any) error {
	// tokens/ is never reached through a link (openStoreFile refuses only
	// a link in the last component).
	if err := CheckDir(s.recordDir(), true); err != nil {
		return err
	}
	data, err := readStoreFile(filepath.Join(s.recordDir(), name))
	if err != nil {
		return err
	}
	hdr := len(recordMagic) + vaultIDLen
	if len(data) < hdr+12+16 || !bytes.Equal(data[:len(recordMagic)], recordMagic) {
		return errors.New("not a token record")
	}
	// Through openVaultWith, like vault.bin: a stale key from the session
	// cache is dropped and the keyring asked once.
	plain, err := openVaultWith(s.keys, hex.EncodeToString(data[len(recordMagic):hdr]), func(gcm cipher.AEAD) ([]byte, error) {
		return gcm.Open(nil, data[hdr:hdr+12], data[hdr+12:], recordAD(data[:hdr], name))
	})
	if err != nil {
		return err
	}
	return json.Unmarshal(plain, v)
}

func recordAD(hdr []byte, name string) []byte {
	return append(append([]byte{}, hdr...), name...)
}

// loadRecords reads every record into sec (a full read: doctor, updates).
// Records of a vault with another id (left by a cleared vault) are skipped.
func (s *Store) loadRecords(sec *Secrets) error {
	if err := CheckDir(s.recordDir(), true); err != nil {
		return err
	}
	ents, err := os.ReadDir(s.recordDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, kindToken+"-"):
			var t tokenRecord
			if s.readRecord(name, &t) == nil && t.Key != "" {
				sec.Tokens[t.Key] = t.Token
			}
		case strings.HasPrefix(name, kindRegistry+"-"):
			var t registryRecord
			if s.readRecord(name, &t) == nil && t.Key != "" {
				sec.Registries[t.Key] = t.RegistryToken
			}
		}
	}
	return nil
}

// A record carries its key, so a full read can rebuild the maps.
type tokenRecord struct {
	Key string `json:"key"`
	Token
}

type registryRecord struct {
	Key string `json:"key"`
	RegistryToken
}

func (s *Store) writeRecord(vaultID, name string, v any) error {
	key, err := s.keys.VaultKey(vaultID, false)
	if err != nil {
		return err
	}
	gcm, err := newGCM(key)
	if err != nil {
		return err
	}
	plain, err := json.Marshal(v)
	if err != nil {
		return err
	}
	idBytes, _ := hex.DecodeString(vaultID)
	hdr := append(append([]byte{}, recordMagic...), idBytes...)
	nonce := make([]byte, 12)
	rand.Read(nonce)
	out := append(append(hdr, nonce...), gcm.Seal(nil, nonce, plain, recordAD(hdr, name))...)
	if err := ensureDir(s.recordDir()); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(s.recordDir(), name), out, fileMode)
}

// syncRecords makes tokens/ hold exactly the tokens and registry tokens of
// sec: it writes what changed since before (what the records held when
// read) and removes what went. It runs under the store lock.
func (s *Store) syncRecords(vaultID string, before, sec *Secrets) error {
	// Before a write or the sweep below: through a link, the sweep would
	// delete whatever lives where it points.
	if err := CheckDir(s.recordDir(), true); err != nil {
		return err
	}
	want := map[string]bool{}
	for k, t := range sec.Tokens {
		name := recordName(kindToken, k)
		want[name] = true
		if old, ok := before.Tokens[k]; ok && sameToken(old, t) {
			continue
		}
		if err := s.writeRecord(vaultID, name, tokenRecord{Key: k, Token: t}); err != nil {
			return err
		}
	}
	for k, t := range sec.Registries {
		name := recordName(kindRegistry, k)
		want[name] = true
		if old, ok := before.Registries[k]; ok && old.RefreshToken == t.RefreshToken && old.ExpiresOn.Equal(t.ExpiresOn) {
			continue
		}
		if err := s.writeRecord(vaultID, name, registryRecord{Key: k, RegistryToken: t}); err != nil {
			return err
		}
	}
	ents, err := os.ReadDir(s.recordDir())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, e := range ents {
		if !want[e.Name()] && !strings.HasPrefix(e.Name(), ".") {
			if err := os.Remove(filepath.Join(s.recordDir(), e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	s.sweepLocks(want)
	return nil
}

func sameToken(a, b Token) bool {
	return a.AccessToken == b.AccessToken && a.ExpiresOn.Equal(b.ExpiresOn) && a.Tenant == b.Tenant && a.Scope == b.Scope
}

// sweepLocks removes the refresh locks of keys with no record, each while
// holding it, so locks/ does not grow with every key ever used. A lock
// someone holds is left alone; one a waiter opened before the removal is
// detected by lockFile, which then locks the new file instead.
func (s *Store) sweepLocks(records map[string]bool) {
	ents, err := os.ReadDir(s.lockDir())
	if err != nil {
		return
	}
	for _, e := range ents {
		if records[e.Name()] || !e.Type().IsRegular() {
			continue
		}
		path := filepath.Join(s.lockDir(), e.Name())
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		unlock, err := lockExisting(ctx, path)
		cancel()
		if err != nil {
			continue
		}
		os.Remove(path)
		unlock()
	}
}
