package store

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// The vault file: magic, a random vault id (names the key in the keyring),
// a GCM nonce, then AES-256-GCM ciphertext of the Secrets JSON. Magic and
// id are authenticated as additional data, so a vault cannot be paired
// with another vault's key without detection.
var vaultMagic = []byte("AZCREDV1")

const vaultIDLen = 16

// Secrets is everything secret azcred keeps. Keys of the maps are
// documented by the helpers that write them; all start with an account
// key (Context.AccountKey) so an account's secrets can be dropped at once.
type Secrets struct {
	// MSAL holds MSAL token caches (accounts and refresh tokens; access
	// tokens are kept in Tokens instead), by partition.
	MSAL map[string][]byte `json:"msal,omitempty"`
	// Credentials are service principal secrets and certificates.
	Credentials map[string]Credential `json:"credentials,omitempty"`
	// Tokens are cached access tokens. They are kept as one record each
	// (tokenrecords.go), not in vault.bin; an older vault.bin holds them here.
	Tokens map[string]Token `json:"tokens,omitempty"`
	// Registries are cached ACR refresh tokens, kept like Tokens.
	Registries map[string]RegistryToken `json:"registries,omitempty"`
	// Docker holds credentials users stored for registries that are not
	// ours, through `docker login` with credsStore.
	Docker map[string]DockerCredential `json:"docker,omitempty"`
}

// Credential is a service principal's secret or PEM certificate+key.
type Credential struct {
	Secret         string `json:"secret,omitempty"`
	CertificatePEM string `json:"certificatePem,omitempty"`
}

// Token is a cached access token.
type Token struct {
	AccessToken string    `json:"accessToken"`
	ExpiresOn   time.Time `json:"expiresOn"`
	Tenant      string    `json:"tenant,omitempty"`
	Scope       string    `json:"scope,omitempty"`
}

// RegistryToken is a cached ACR refresh token.
type RegistryToken struct {
	RefreshToken string    `json:"refreshToken"`
	ExpiresOn    time.Time `json:"expiresOn"`
}

// DockerCredential is a user-stored registry credential.
type DockerCredential struct {
	Username string `json:"username"`
	Secret   string `json:"secret"`
}

// DropAccount removes every secret of the account (see vaultkeys.go):
// its credential, MSAL cache, access tokens and ACR tokens.
func (s *Secrets) DropAccount(accountKey string) {
	s.dropOwners(func(owner string) bool { return owner == accountKey })
}

// DropUnused removes the secrets of accounts that no context in cfg uses
// any more.
func (s *Secrets) DropUnused(cfg *Config) {
	used := cfg.AccountKeys()
	s.dropOwners(func(owner string) bool { return !used[owner] })
}

func (s *Secrets) dropOwners(drop func(account string) bool) {
	dropKeys(s.Credentials, drop)
	dropKeys(s.MSAL, drop)
	dropKeys(s.Tokens, drop)
	dropKeys(s.Registries, drop)
}

func dropKeys[V any](m map[string]V, drop func(account string) bool) {
	for k := range m {
		if drop(KeyAccount(k)) {
			delete(m, k)
		}
	}
}

func newSecrets() *Secrets {
	return &Secrets{MSAL: map[string][]byte{}, Credentials: map[string]Credential{}, Tokens: map[string]Token{},
		Registries: map[string]RegistryToken{}, Docker: map[string]DockerCredential{}}
}

type vaultFile struct {
	id      string
	secrets *Secrets
	// bulk is the plaintext read, so an unchanged bulk is not rewritten.
	bulk []byte
	// records is what the token records held when read.
	records *Secrets
	// legacy is set when vault.bin holds tokens (an older azcred's layout).
	legacy bool
}

// Secrets reads and decrypts the whole vault, token records included. A
// missing vault is empty and does not touch the keyring. A vault in the
// older layout (tokens inside vault.bin) is moved to the current one,
// best effort.
func (s *Store) Secrets() (*Secrets, error) {
	v, err := s.readVault()
	if err != nil {
		return nil, err
	}
	if v.legacy && !s.ReadOnly {
		s.UpdateSecrets(func(*Secrets) error { return nil })
	}
	return v.secrets, nil
}

func (s *Store) readVault() (*vaultFile, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	path := s.VaultPath()
	data, err := readStoreFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &vaultFile{secrets: newSecrets(), records: newSecrets()}, nil
	}
	if err != nil {
		return nil, storeError(err)
	}
	hdr := len(vaultMagic) + vaultIDLen
	if len(data) < hdr+12+16 || !bytes.Equal(data[:len(vaultMagic)], vaultMagic) {
		return nil, &CorruptError{Path: path, Err: errors.New("not an azcred vault; move it away or run 'azcred context clear'")}
	}
	id := hex.EncodeToString(data[len(vaultMagic):hdr])
	plain, err := openVaultWith(s.keys, id, func(gcm cipher.AEAD) ([]byte, error) {
		return gcm.Open(nil, data[hdr:hdr+12], data[hdr+12:], data[:hdr])
	})
	if errors.Is(err, errWrongKey) {
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("cannot be decrypted with the key from keyring %s (wrong keyring backend or passphrase?); run 'azcred doctor'", s.keys.Describe().Backend)}
	}
	if errors.As(err, new(*UnsafeError)) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("store: the key of %s: %w", path, err)
	}
	sec := newSecrets()
	if err := json.Unmarshal(plain, sec); err != nil {
		return nil, &CorruptError{Path: path, Err: errors.New("decrypted, but not valid; run 'azcred context clear' to start over")}
	}
	v := &vaultFile{id: id, secrets: sec, bulk: plain, records: newSecrets(), legacy: len(sec.Tokens)+len(sec.Registries) > 0}
	if err := s.loadRecords(v.records); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	// A record is newer than a token left in an older vault.bin.
	for k, t := range v.records.Tokens {
		sec.Tokens[k] = t
	}
	for k, t := range v.records.Registries {
		sec.Registries[k] = t
	}
	return v, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, errors.New("store: vault key has the wrong size")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// writeVault writes vault.bin (unless its content is unchanged) and then
// the token records. It runs under the store lock.
func (s *Store) writeVault(v *vaultFile) error {
	bulk := *v.secrets
	bulk.Tokens, bulk.Registries = nil, nil
	plain, err := json.Marshal(&bulk)
	if err != nil {
		return fmt.Errorf("store: encode vault: %w", err)
	}
	if v.id == "" || !bytes.Equal(plain, v.bulk) {
		if err := s.writeBulk(v, plain); err != nil {
			return err
		}
	}
	if err := s.syncRecords(v.id, v.records, v.secrets); err != nil {
		return fmt.Errorf("store: cannot write the token cache in %s: %w", s.recordDir(), err)
	}
	return nil
}

func (s *Store) writeBulk(v *vaultFile, plain []byte) error {
	if v.id == "" {
		id := make([]byte, vaultIDLen)
		rand.Read(id)
		v.id = hex.EncodeToString(id)
	}
	key, err := s.keys.VaultKey(v.id, true)
	if err != nil {
		return fmt.Errorf("store: the key of %s: %w", s.VaultPath(), err)
	}
	gcm, err := newGCM(key)
	if err != nil {
		return err
	}
	idBytes, _ := hex.DecodeString(v.id)
	hdr := append(append([]byte{}, vaultMagic...), idBytes...)
	nonce := make([]byte, 12)
	rand.Read(nonce)
	out := append(append(hdr, nonce...), gcm.Seal(nil, nonce, plain, hdr)...)
	if err := WriteFileAtomic(s.VaultPath(), out, fileMode); err != nil {
		return fmt.Errorf("store: cannot write %s: %w", s.VaultPath(), err)
	}
	return nil
}

// UpdateSecrets runs fn on the vault under the store lock and writes it
// back. With ReadOnly set nothing is written and ErrNotSaved is returned.
func (s *Store) UpdateSecrets(fn func(*Secrets) error) error {
	return s.UpdateAll(func(_ *Config, sec *Secrets) error { return fn(sec) }, false)
}

// UpdateAll changes config and vault together under one lock. The config
// is written only when writeConfig is true.
func (s *Store) UpdateAll(fn func(*Config, *Secrets) error, writeConfig bool) error {
	if s.ReadOnly {
		cfg, err := s.Load()
		if err != nil {
			return err
		}
		sec, err := s.Secrets()
		if err != nil {
			return err
		}
		if err := fn(cfg, sec); err != nil {
			return err
		}
		return ErrNotSaved
	}
	return s.locked(func() error {
		cfg, err := s.Load()
		if err != nil {
			return err
		}
		v, err := s.readVault()
		if err != nil {
			return err
		}
		if err := fn(cfg, v.secrets); err != nil {
			return err
		}
		// The vault first: killed between the two renames, we leave at
		// worst a secret no context uses (DropUnused removes it later),
		// never a context whose credential is missing.
		if err := s.writeVault(v); err != nil {
			return err
		}
		if writeConfig {
			return s.writeConfig(cfg)
		}
		return nil
	})
}

// Clear removes all contexts, bindings and the whole vault (and its key),
// keeping environments and settings. It runs under the store lock.
func (s *Store) Clear() error {
	if s.ReadOnly {
		if _, err := s.Load(); err != nil {
			return err
		}
		return ErrNotSaved
	}
	return s.locked(func() error {
		cfg, err := s.Load()
		if err != nil {
			return err
		}
		cfg.Contexts = map[string]*Context{}
		cfg.Bindings = nil
		cfg.Default = ""
		if err := s.writeConfig(cfg); err != nil {
			return err
		}
		// The key goes with the vault; a vault we cannot decrypt is removed too:
		// clearing is how a user starts over.
		if data, err := readStoreFile(s.VaultPath()); err == nil && len(data) >= len(vaultMagic)+vaultIDLen && bytes.Equal(data[:len(vaultMagic)], vaultMagic) {
			s.keys.RemoveVaultKey(hex.EncodeToString(data[len(vaultMagic) : len(vaultMagic)+vaultIDLen]))
		}
		if err := os.Remove(s.VaultPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("store: cannot remove %s: %w", s.VaultPath(), err)
		}
		if err := os.RemoveAll(s.recordDir()); err != nil {
			return fmt.Errorf("store: cannot remove %s: %w", s.recordDir(), err)
		}
		s.sweepLocks(nil)
		return nil
	})
}
