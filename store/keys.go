package store

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/99designs/keyring"
)

// KeySource keeps vault keys, by vault id.
type KeySource interface {
	// VaultKey returns the 32-byte key of vault id; with create, a missing
	// key is generated and saved.
	VaultKey(id string, create bool) ([]byte, error)
	// RemoveVaultKey forgets the key (best effort).
	RemoveVaultKey(id string)
	// Describe says where keys live, for `azcred doctor`.
	Describe() KeyInfo
}

// KeyInfo describes a KeySource for humans.
type KeyInfo struct {
	Backend string `json:"backend"`
	// Protection is "os" when the OS keyring guards the key, "file" when
	// only file permissions do.
	Protection string `json:"protection"`
	Detail     string `json:"detail,omitempty"`
}

// Backends are the values AZCRED_KEYRING_BACKEND accepts.
var Backends = []string{"auto", "keychain", "wincred", "secret-service", "kwallet", "keyctl", "pass", "file"}

// KeyringKeys keeps vault keys in a 99designs/keyring.
type KeyringKeys struct {
	backend string
	open    func() (keyring.Keyring, error)
	once    sync.Once
	ring    keyring.Keyring
	err     error
	detail  string
	// dir is the store's directory and passphrase whether
	// AZCRED_KEYRING_PASSPHRASE is set: for hints when a key is missing.
	dir        string
	passphrase bool
}

var _ KeySource = (*KeyringKeys)(nil)

// NewKeyringKeys chooses the keyring backend from AZCRED_KEYRING_BACKEND
// for the store in dir. It opens nothing until a key is needed.
func NewKeyringKeys(dir string, getenv Getenv) (KeySource, error) {
	name := strings.ToLower(strings.TrimSpace(getenv("AZCRED_KEYRING_BACKEND")))
	if name == "" {
		name = "auto"
	}
	if name == "auto" {
		name = autoBackend(getenv)
	}
	var backend keyring.BackendType
	switch name {
	case "keychain":
		backend = keyring.KeychainBackend
	case "wincred":
		backend = keyring.WinCredBackend
	case "secret-service":
		backend = keyring.SecretServiceBackend
	case "kwallet":
		backend = keyring.KWalletBackend
	case "keyctl":
		backend = keyring.KeyCtlBackend
	case "pass":
		backend = keyring.PassBackend
	case "file":
		backend = keyring.FileBackend
	default:
		return nil, fmt.Errorf("AZCRED_KEYRING_BACKEND=%q is not one of %s", name, strings.Join(Backends, ", "))
	}
	pass := getenv("AZCRED_KEYRING_PASSPHRASE")
	if name == "file" && pass == "" {
		// A generated passphrase would sit in a file beside the keyring it
		// protects, so stretching it (8192 PBKDF2 rounds, ~2 ms on every
		// call) buys nothing: keep the generated key itself in a 0600 file.
		return FileKeys{Path: filepath.Join(dir, "vault.key"), Backend: "file"}, nil
	}
	k := &KeyringKeys{backend: name, dir: dir, passphrase: pass != ""}
	if name == "file" {
		k.detail = "passphrase from AZCRED_KEYRING_PASSPHRASE, keyring in " + filepath.Join(dir, "keyring")
	}
	cfg := keyring.Config{
		ServiceName:              "azcred",
		AllowedBackends:          []keyring.BackendType{backend},
		KeychainTrustApplication: true,
		KeychainSynchronizable:   false,
		KeyCtlScope:              "user",
		LibSecretCollectionName:  "login",
		KWalletAppID:             "azcred",
		KWalletFolder:            "azcred",
		WinCredPrefix:            "azcred",
		FileDir:                  filepath.Join(dir, "keyring"),
		// Never keyring's terminal prompt: it reads stdin and writes stdout.
		FilePasswordFunc: func(string) (string, error) {
			return pass, nil
		},
	}
	k.open = func() (keyring.Keyring, error) {
		if name == "file" {
			if err := ensureDir(cfg.FileDir); err != nil {
				return nil, err
			}
		}
		return keyring.Open(cfg)
	}
	return k, nil
}

// NewStaticKeys wraps an already-open keyring (keyring.NewArrayKeyring in tests).
func NewStaticKeys(ring keyring.Keyring, backend string) *KeyringKeys {
	return &KeyringKeys{backend: backend, open: func() (keyring.Keyring, error) { return ring, nil }}
}

// autoBackend picks the OS keyring where there is one and the file
// backend elsewhere (containers, CI, SSH sessions without D-Bus). keyctl
// is never chosen by itself: its keys vanish at reboot.
func autoBackend(getenv Getenv) string {
	want := "file"
	switch {
	case runtime.GOOS == "darwin":
		want = "keychain"
	case runtime.GOOS == "windows":
		want = "wincred"
	case getenv("DBUS_SESSION_BUS_ADDRESS") != "":
		want = "secret-service"
	}
	// A binary built without cgo has no keychain backend on macOS: fall
	// back to the file backend rather than fail.
	for _, b := range keyring.AvailableBackends() {
		if string(b) == want {
			return want
		}
	}
	return "file"
}

func (k *KeyringKeys) keyring() (keyring.Keyring, error) {
	k.once.Do(func() {
		k.ring, k.err = k.open()
		if k.err != nil {
			k.err = fmt.Errorf("keyring backend %s is not available: %v; set AZCRED_KEYRING_BACKEND=file", k.backend, k.err)
		}
	})
	return k.ring, k.err
}

func itemKey(id string) string { return "vault-" + id }

// VaultKey implements KeySource.
func (k *KeyringKeys) VaultKey(id string, create bool) ([]byte, error) {
	ring, err := k.keyring()
	if err != nil {
		return nil, err
	}
	item, err := ring.Get(itemKey(id))
	if err == nil {
		key, derr := base64.StdEncoding.DecodeString(string(item.Data))
		if derr != nil || len(key) != 32 {
			return nil, errors.New("the vault key in the keyring is malformed")
		}
		return key, nil
	}
	if !errors.Is(err, keyring.ErrKeyNotFound) {
		if k.backend == "file" && k.passphrase {
			// The file keyring says only "aes.KeyUnwrap(): integrity check failed".
			return nil, &KeyError{Err: fmt.Errorf("the keyring in %s cannot be opened with this AZCRED_KEYRING_PASSPHRASE", filepath.Join(k.dir, "keyring")),
				Fix: "set AZCRED_KEYRING_PASSPHRASE to the passphrase this store was created with"}
		}
		return nil, fmt.Errorf("keyring %s: %v", k.backend, err)
	}
	if !create {
		err := fmt.Errorf("not found in keyring backend %s", k.backend)
		if _, serr := os.Stat(filepath.Join(k.dir, "vault.key")); serr == nil && k.backend == "file" {
			return nil, &KeyError{Err: err, Fix: "this store was created without AZCRED_KEYRING_PASSPHRASE (its key is in " + filepath.Join(k.dir, "vault.key") + "): unset it"}
		}
		return nil, &KeyError{Err: err, Fix: "run 'azcred doctor'; with another AZCRED_KEYRING_BACKEND or AZCRED_KEYRING_PASSPHRASE than the store was created with, use those"}
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	err = ring.Set(keyring.Item{Key: itemKey(id), Data: []byte(base64.StdEncoding.EncodeToString(key)),
		Label: "azcred vault key", Description: "encrypts azcred's token cache"})
	if err != nil {
		return nil, fmt.Errorf("keyring %s: cannot save the vault key: %v", k.backend, err)
	}
	return key, nil
}

// RemoveVaultKey implements KeySource.
func (k *KeyringKeys) RemoveVaultKey(id string) {
	if ring, err := k.keyring(); err == nil {
		ring.Remove(itemKey(id))
	}
}

// Describe implements KeySource.
func (k *KeyringKeys) Describe() KeyInfo {
	prot := "os"
	if k.backend == "file" {
		prot = "file"
	}
	return KeyInfo{Backend: k.backend, Protection: prot, Detail: k.detail}
}

// FileKeys keeps the vault key in a 0600 file in the store: for session
// stores (short-lived, private to one shell) and for the file backend
// without a passphrase, where only file permissions protect the key.
type FileKeys struct {
	Path    string
	Backend string
}

var _ KeySource = FileKeys{}

func (f FileKeys) path() string { return f.Path }

// VaultKey implements KeySource.
func (f FileKeys) VaultKey(id string, create bool) ([]byte, error) {
	b, err := readStoreFile(f.path())
	if err == nil {
		key, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if derr != nil || len(key) != 32 {
			return nil, fmt.Errorf("%s is malformed", f.path())
		}
		return key, nil
	}
	if errors.As(err, new(*UnsafeError)) {
		return nil, err
	}
	if errors.Is(err, fs.ErrNotExist) && !create {
		if _, serr := os.Stat(filepath.Join(filepath.Dir(f.Path), "keyring")); serr == nil {
			return nil, &KeyError{Err: fmt.Errorf("%s is missing: this store's key is in its passphrase-protected keyring", f.path()),
				Fix: "set AZCRED_KEYRING_PASSPHRASE to the passphrase this store was created with"}
		}
	}
	if !errors.Is(err, fs.ErrNotExist) || !create {
		return nil, fmt.Errorf("%s: %w", f.path(), err)
	}
	key := make([]byte, 32)
	rand.Read(key)
	if err := ensureDir(filepath.Dir(f.Path)); err != nil {
		return nil, err
	}
	if err := WriteFileAtomic(f.path(), []byte(base64.StdEncoding.EncodeToString(key)+"\n"), fileMode); err != nil {
		return nil, err
	}
	return key, nil
}

// RemoveVaultKey implements KeySource.
func (f FileKeys) RemoveVaultKey(string) { os.Remove(f.path()) }

// Describe implements KeySource.
func (f FileKeys) Describe() KeyInfo {
	return KeyInfo{Backend: f.Backend, Protection: "file", Detail: "generated key in " + f.path()}
}
