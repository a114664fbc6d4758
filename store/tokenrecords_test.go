package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const testAccount = "azurecloud/user/alice@contoso.example"

// A vault.bin written by an older azcred holds its tokens inside: they
// still answer, and the first full read moves them to records.
func TestLegacyVaultMigrates(t *testing.T) {
	s := testStore(t)
	addCtx(t, s, "work", "alice@contoso.example")
	key := TokenKey(testAccount, "t1", "scope/.default")
	rkey := RegistryKey(testAccount, "t1", "contoso.azurecr.io")
	legacy := newSecrets()
	legacy.Tokens[key] = Token{AccessToken: "fake-legacy-access-token", ExpiresOn: time.Now().Add(time.Hour)}
	legacy.Registries[rkey] = RegistryToken{RefreshToken: "fake-legacy-acr-token", ExpiresOn: time.Now().Add(time.Hour)}
	legacy.Docker["r.example"] = DockerCredential{Username: "u", Secret: "fake"}
	plain, _ := json.Marshal(legacy)
	if err := s.writeBulk(&vaultFile{}, plain); err != nil { // schema 1 layout, as an older azcred wrote it
		t.Fatal(err)
	}
	if _, ok := s.CachedToken(key); ok {
		t.Fatal("no record was written yet")
	}
	sec, err := s.Secrets()
	if err != nil {
		t.Fatal(err)
	}
	if sec.Tokens[key].AccessToken != "fake-legacy-access-token" || sec.Registries[rkey].RefreshToken != "fake-legacy-acr-token" {
		t.Fatal("legacy tokens not read")
	}
	if tok, ok := s.CachedToken(key); !ok || tok.AccessToken != "fake-legacy-access-token" {
		t.Fatal("legacy token not moved to a record")
	}
	if tok, ok := s.CachedRegistry(rkey); !ok || tok.RefreshToken != "fake-legacy-acr-token" {
		t.Fatal("legacy registry token not moved to a record")
	}
	v, err := s.readVault()
	if err != nil {
		t.Fatal(err)
	}
	if v.legacy || v.secrets.Docker["r.example"].Secret != "fake" {
		t.Errorf("after migration: legacy=%v, docker credential kept=%v", v.legacy, v.secrets.Docker["r.example"].Secret == "fake")
	}
}

// Records follow the vault: dropped with their account, renamed or
// tampered records are misses, and locks of keys with no token go.
func TestRecordsDropAndLocks(t *testing.T) {
	s := testStore(t)
	addCtx(t, s, "work", "alice@contoso.example")
	key := TokenKey(testAccount, "t1", "scope/.default")
	other := TokenKey(testAccount, "t1", "other/.default")
	for _, k := range []string{key, other} {
		unlock, err := s.LockToken(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		unlock()
	}
	err := s.UpdateSecrets(func(sec *Secrets) error {
		sec.Tokens[key] = Token{AccessToken: "fake-record-token", ExpiresOn: time.Now().Add(time.Hour)}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if tok, ok := s.CachedToken(key); !ok || tok.AccessToken != "fake-record-token" {
		t.Fatal("record not readable")
	}
	raw, _ := os.ReadFile(filepath.Join(s.recordDir(), recordName(kindToken, key)))
	if len(raw) == 0 || bytes.Contains(raw, []byte("fake-record-token")) {
		t.Fatal("the token record is missing or holds the token in clear")
	}
	locks, _ := os.ReadDir(s.lockDir())
	if len(locks) != 1 || locks[0].Name() != recordName(kindToken, key) {
		t.Errorf("locks/ after a write = %v, want only the lock of the cached key", locks)
	}
	// A record copied over another key's name does not answer for it.
	b, _ := os.ReadFile(filepath.Join(s.recordDir(), recordName(kindToken, key)))
	os.WriteFile(filepath.Join(s.recordDir(), recordName(kindToken, other)), b, 0o600)
	if _, ok := s.CachedToken(other); ok {
		t.Error("a renamed record answered for another key")
	}
	// A lock held by someone is not swept.
	unlock, err := s.LockToken(context.Background(), other)
	if err != nil {
		t.Fatal(err)
	}
	removeContext(t, s, "work")
	if _, ok := s.CachedToken(key); ok {
		t.Error("the removed account's token record is still there")
	}
	if _, err := os.Stat(filepath.Join(s.lockDir(), recordName(kindToken, other))); err != nil {
		t.Errorf("a held lock was removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.lockDir(), recordName(kindToken, key))); err == nil {
		t.Error("the lock of a dropped token was kept")
	}
	unlock()
}

// context clear takes the token records (and their locks) with the vault.
func TestClearRemovesRecords(t *testing.T) {
	s := testStore(t)
	addCtx(t, s, "work", "alice@contoso.example")
	key := TokenKey(testAccount, "t1", "scope/.default")
	err := s.UpdateSecrets(func(sec *Secrets) error {
		sec.Tokens[key] = Token{AccessToken: "fake-record-token", ExpiresOn: time.Now().Add(time.Hour)}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := s.LockToken(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if err := s.Clear(); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.CachedToken(key); ok {
		t.Error("a token record survived context clear")
	}
	if locks, _ := os.ReadDir(s.lockDir()); len(locks) != 0 {
		t.Errorf("locks survived context clear: %v", locks)
	}
}

// tokens/ is a store directory: as a symbolic link it is never followed —
// no record is read, written or swept through it (the sweep would delete
// whatever else lives where it points).
func TestRecordDirLinkRefused(t *testing.T) {
	s := testStore(t)
	addCtx(t, s, "work", "alice@contoso.example")
	key := TokenKey(testAccount, "t1", "scope/.default")
	put := func(tok string) error {
		return s.UpdateSecrets(func(sec *Secrets) error {
			sec.Tokens[key] = Token{AccessToken: tok, ExpiresOn: time.Now().Add(time.Hour)}
			return nil
		})
	}
	if err := put("fake-record-token"); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	precious := filepath.Join(other, "precious")
	os.WriteFile(precious, []byte("mine"), 0o600)
	ents, _ := os.ReadDir(s.recordDir())
	for _, e := range ents {
		os.Rename(filepath.Join(s.recordDir(), e.Name()), filepath.Join(other, e.Name()))
	}
	os.Remove(s.recordDir())
	if err := os.Symlink(other, s.recordDir()); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.CachedToken(key); ok {
		t.Error("a record was read through the tokens link")
	}
	var unsafe *UnsafeError
	if err := put("fake-second-token"); !errors.As(err, &unsafe) {
		t.Errorf("a write through the tokens link: err %v, want an UnsafeError", err)
	}
	if _, err := os.Stat(precious); err != nil {
		t.Errorf("a file beyond the tokens link was removed: %v", err)
	}
}

// The scrub of stale temp files under the lock does not reach through a
// tokens link either.
func TestScrubTempNotThroughTokensLink(t *testing.T) {
	s := testStore(t)
	other := t.TempDir()
	theirs := filepath.Join(other, ".notes.tmp-1")
	os.WriteFile(theirs, []byte("mine"), 0o600)
	os.MkdirAll(s.Dir(), 0o700)
	if err := os.Symlink(other, s.recordDir()); err != nil {
		t.Fatal(err)
	}
	addCtx(t, s, "work", "alice@contoso.example") // a write: scrubs under the lock
	if _, err := os.Stat(theirs); err != nil {
		t.Errorf("a file beyond the tokens link was scrubbed: %v", err)
	}
}
