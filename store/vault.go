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
	"strings"
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
	// Tokens are cached access tokens.
	Tokens map[string]Token `json:"tokens,omitempty"`
	// Registries are cached ACR refresh tokens.
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

// DropAccount removes every secret whose key belongs to accountKey.
func (s *Secrets) DropAccount(accountKey string) {
	match := func(k string) bool { return k == accountKey || strings.HasPrefix(k, accountKey+"|") }
	for k := range s.Credentials {
		if match(k) {
			delete(s.Credentials, k)
		}
	}
	for k := range s.Tokens {
		if match(k) {
			delete(s.Tokens, k)
		}
	}
	for k := range s.Registries {
		if match(k) {
			delete(s.Registries, k)
		}
	}
}

// DropUnused removes tokens, registry tokens and credentials of accounts
// that no context in cfg uses any more.
func (s *Secrets) DropUnused(cfg *Config) {
	used := cfg.AccountKeys()
	owner := func(k string) string {
		if i := strings.IndexByte(k, '|'); i >= 0 {
			return k[:i]
		}
		return k
	}
	for _, m := range []func(){
		func() {
			for k := range s.Tokens {
				if !used[owner(k)] {
					delete(s.Tokens, k)
				}
			}
		},
		func() {
			for k := range s.Registries {
				if !used[owner(k)] {
					delete(s.Registries, k)
				}
			}
		},
		func() {
			for k := range s.Credentials {
				if !used[owner(k)] {
					delete(s.Credentials, k)
				}
			}
		},
	} {
		m()
	}
}

func newSecrets() *Secrets {
	return &Secrets{MSAL: map[string][]byte{}, Credentials: map[string]Credential{}, Tokens: map[string]Token{},
		Registries: map[string]RegistryToken{}, Docker: map[string]DockerCredential{}}
}

type vaultFile struct {
	id      string
	secrets *Secrets
}

// Secrets reads and decrypts the vault. A missing vault is empty and does
// not touch the keyring.
func (s *Store) Secrets() (*Secrets, error) {
	v, err := s.readVault()
	if err != nil {
		return nil, err
	}
	return v.secrets, nil
}

func (s *Store) readVault() (*vaultFile, error) {
	path := s.VaultPath()
	data, err := ReadFileLimited(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &vaultFile{secrets: newSecrets()}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
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
	if err != nil {
		return nil, fmt.Errorf("store: the key of %s: %w", path, err)
	}
	sec := newSecrets()
	if err := json.Unmarshal(plain, sec); err != nil {
		return nil, &CorruptError{Path: path, Err: errors.New("decrypted, but not valid; run 'azcred context clear' to start over")}
	}
	return &vaultFile{id: id, secrets: sec}, nil
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

func (s *Store) writeVault(v *vaultFile) error {
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
	plain, err := json.Marshal(v.secrets)
	if err != nil {
		return fmt.Errorf("store: encode vault: %w", err)
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
		if writeConfig {
			if err := s.writeConfig(cfg); err != nil {
				return err
			}
		}
		return s.writeVault(v)
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
		if data, err := ReadFileLimited(s.VaultPath()); err == nil && len(data) >= len(vaultMagic)+vaultIDLen && bytes.Equal(data[:len(vaultMagic)], vaultMagic) {
			s.keys.RemoveVaultKey(hex.EncodeToString(data[len(vaultMagic) : len(vaultMagic)+vaultIDLen]))
		}
		if err := os.Remove(s.VaultPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("store: cannot remove %s: %w", s.VaultPath(), err)
		}
		return nil
	})
}
