package store

// How the vault key is obtained. Rules this file keeps:
//   - nothing is opened, dialled or spawned until a key is needed, and only
//     for the backend in use (no D-Bus for the file key; see
//     third_party/keyring/README.md for the init-time fork);
//   - every call into a keyring backend is bounded by a timeout
//     (AZCRED_KEYRING_TIMEOUT): a daemon that never answers fails the
//     command, it never hangs it;
//   - a backend failure is one line naming the backend and the fix
//     (KeyringError), and nothing is written.

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

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
	// Protection is "os" when the OS keyring guards the key, "passphrase"
	// when AZCRED_KEYRING_PASSPHRASE does, "file" when only file
	// permissions do.
	Protection string `json:"protection"`
	Detail     string `json:"detail,omitempty"`
	// Auto says why AZCRED_KEYRING_BACKEND=auto chose Backend.
	Auto string `json:"auto,omitempty"`
	// Lifetime is set when keys do not outlive something (keyctl: a reboot).
	Lifetime string `json:"lifetime,omitempty"`
	// Cache describes the per-session cache of the unwrapped key, if any.
	Cache string `json:"cache,omitempty"`
}

// Backends are the values AZCRED_KEYRING_BACKEND accepts.
var Backends = []string{"auto", "keychain", "wincred", "secret-service", "kwallet", "keyctl", "pass", "file"}

// keyringTimeout bounds one call into a keyring backend that talks to
// another process (D-Bus, gpg, the macOS security daemon): long enough
// for a person to answer the OS's unlock dialog, as AZCRED_TIMEOUT is for
// the network.
const keyringTimeout = 30 * time.Second

// KeyringError is a keyring backend that refused, failed or did not
// answer. Its message names the backend and the fix.
type KeyringError struct {
	Backend string
	Err     error
}

func (e *KeyringError) Error() string {
	fix := "run 'azcred doctor', or set AZCRED_KEYRING_BACKEND=file"
	switch e.Backend {
	case "secret-service", "kwallet":
		fix = "unlock your keyring (or start its daemon), run 'azcred doctor', or set AZCRED_KEYRING_BACKEND=file"
	case "file":
		fix = "check AZCRED_KEYRING_PASSPHRASE, or run 'azcred doctor'"
	}
	return fmt.Sprintf("keyring %s: %v; %s", e.Backend, e.Err, fix)
}

func (e *KeyringError) Unwrap() error { return e.Err }

// KeyringKeys keeps vault keys in a 99designs/keyring.
type KeyringKeys struct {
	backend string
	open    func() (keyring.Keyring, error)
	timeout time.Duration
	once    sync.Once
	ring    keyring.Keyring
	err     error
	info    KeyInfo
	// dir is the store's directory and passphrase whether
	// AZCRED_KEYRING_PASSPHRASE is set: for hints when a key is missing.
	dir        string
	passphrase bool
}

var _ KeySource = (*KeyringKeys)(nil)

// NewKeyringKeys chooses the keyring backend from AZCRED_KEYRING_BACKEND
// for the store in dir. It reads only the environment: nothing is opened
// until a key is needed.
func NewKeyringKeys(dir string, getenv Getenv) (KeySource, error) {
	name := strings.ToLower(strings.TrimSpace(getenv("AZCRED_KEYRING_BACKEND")))
	if name == "" {
		name = "auto"
	}
	why := ""
	if name == "auto" {
		name, why = autoBackend(getenv)
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
	timeout, err := envDuration(getenv, "AZCRED_KEYRING_TIMEOUT", keyringTimeout)
	if err != nil {
		return nil, err
	}
	pass := getenv("AZCRED_KEYRING_PASSPHRASE")
	if name == "file" && pass == "" {
		// A generated passphrase would sit in a file beside the keyring it
		// protects, so stretching it (8192 PBKDF2 rounds, ~2 ms on every
		// call) buys nothing: keep the generated key itself in a 0600 file.
		return FileKeys{Path: filepath.Join(dir, "vault.key"), Backend: "file", Auto: why}, nil
	}
	k := &KeyringKeys{backend: name, timeout: timeout, dir: dir, passphrase: pass != "",
		info: KeyInfo{Backend: name, Protection: "os", Auto: why}}
	switch name { // system calls and local files have nothing to wait for: timeout 0
	case "wincred":
		k.timeout = 0
	case "file":
		k.timeout = 0
		k.info.Protection = "passphrase"
		k.info.Detail = "passphrase from AZCRED_KEYRING_PASSPHRASE, keyring in " + filepath.Join(dir, "keyring")
	case "keyctl":
		k.timeout = 0
		k.info.Detail = "kernel user keyring"
		k.info.Lifetime = "keys live in kernel memory only: a reboot (or the end of your last login session) loses them, and with them the vault; sign in again then"
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
		if !slices.Contains(keyring.AvailableBackends(), backend) {
			return nil, fmt.Errorf("not available in this build of azcred (%s)", buildDesc())
		}
		switch name {
		case "file":
			if err := ensureDir(cfg.FileDir); err != nil {
				return nil, err
			}
			if err := checkKeyringDir(cfg.FileDir); err != nil {
				return nil, err
			}
		case "secret-service", "kwallet":
			// godbus would run dbus-launch and start a private bus with
			// no keyring on it: say what is missing instead.
			if !hasSessionBus(getenv) {
				return nil, errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
			}
		}
		return keyring.Open(cfg)
	}
	return withCache(k, dir, name, pass, getenv)
}

// NewStaticKeys wraps an already-open keyring (keyring.NewArrayKeyring in tests).
func NewStaticKeys(ring keyring.Keyring, backend string) *KeyringKeys {
	return &KeyringKeys{backend: backend, timeout: keyringTimeout, info: KeyInfo{Backend: backend, Protection: "os"},
		open: func() (keyring.Keyring, error) { return ring, nil }}
}

// autoBackend picks the OS keyring where there is one and the file
// backend elsewhere (containers, CI, SSH sessions without D-Bus), and says
// why. keyctl is never chosen by itself: its keys vanish at reboot.
func autoBackend(getenv Getenv) (name, why string) {
	want, why := "file", "no OS keyring found (no D-Bus session bus), so a generated key in a file"
	switch {
	case runtime.GOOS == "darwin":
		want, why = "keychain", "macOS Keychain"
	case runtime.GOOS == "windows":
		want, why = "wincred", "Windows Credential Manager"
	case getenv("DBUS_SESSION_BUS_ADDRESS") != "":
		want, why = "secret-service", "a D-Bus session bus is set (DBUS_SESSION_BUS_ADDRESS), so the Secret Service"
	}
	for _, b := range keyring.AvailableBackends() {
		if string(b) == want {
			return want, why
		}
	}
	// A macOS binary built without cgo has no Keychain backend.
	return "file", "the " + want + " backend is not in this build (built without cgo?), so a generated key in a file"
}

// hasSessionBus reports whether godbus would find a session bus without
// launching one: the address in the environment, or the systemd user bus.
func hasSessionBus(getenv Getenv) bool {
	if a := getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return true
	}
	rt := getenv("XDG_RUNTIME_DIR")
	if rt == "" && runtime.GOOS == "linux" {
		rt = fmt.Sprintf("/run/user/%d", os.Getuid()) // where godbus looks too
	}
	st, err := os.Stat(filepath.Join(rt, "bus"))
	return rt != "" && err == nil && st.Mode()&fs.ModeSocket != 0
}

func buildDesc() string {
	cgo := "without cgo"
	if cgoEnabled {
		cgo = "with cgo"
	}
	return runtime.GOOS + "/" + runtime.GOARCH + ", built " + cgo
}

func envDuration(getenv Getenv, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	switch v {
	case "":
		return def, nil
	case "0", "off":
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s=%q is not a duration (like 30s or 15m)", name, v)
	}
	return d, nil
}

func (k *KeyringKeys) keyring() (keyring.Keyring, error) {
	k.once.Do(func() { k.ring, k.err = k.open() })
	return k.ring, k.err
}

// call runs fn on the open keyring, giving up after the timeout: a D-Bus
// peer that accepts and never answers leaves fn blocked, not the command.
func (k *KeyringKeys) call(fn func(keyring.Keyring) error) error {
	if k.timeout <= 0 { // a backend that cannot hang: no goroutine, no timer
		ring, err := k.keyring()
		if err != nil {
			return err
		}
		return fn(ring)
	}
	done := make(chan error, 1)
	go func() {
		ring, err := k.keyring()
		if err == nil {
			err = fn(ring)
		}
		done <- err
	}()
	t := time.NewTimer(k.timeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return &KeyringError{Backend: k.backend, Err: fmt.Errorf("no answer within %s (AZCRED_KEYRING_TIMEOUT)", k.timeout)}
	}
}

func itemKey(id string) string { return "vault-" + id }

// VaultKey implements KeySource.
func (k *KeyringKeys) VaultKey(id string, create bool) ([]byte, error) {
	var item keyring.Item
	err := k.call(func(ring keyring.Keyring) (err error) {
		item, err = ring.Get(itemKey(id))
		return err
	})
	if err == nil {
		key, derr := base64.StdEncoding.DecodeString(string(item.Data))
		if derr != nil || len(key) != 32 {
			return nil, &KeyringError{Backend: k.backend, Err: errors.New("the vault key in the keyring is malformed")}
		}
		return key, nil
	}
	if !errors.Is(err, keyring.ErrKeyNotFound) {
		if errors.As(err, new(*UnsafeError)) || errors.Is(err, ErrTooLarge) {
			return nil, err // checkKeyringDir: the path and the fix, not a passphrase problem
		}
		if k.backend == "file" && k.passphrase {
			// The file keyring says only "aes.KeyUnwrap(): integrity check failed".
			return nil, &KeyError{Err: fmt.Errorf("the keyring in %s cannot be opened with this AZCRED_KEYRING_PASSPHRASE", filepath.Join(k.dir, "keyring")),
				Fix: "set AZCRED_KEYRING_PASSPHRASE to the passphrase this store was created with"}
		}
		return nil, k.wrap(err)
	}
	if !create {
		if _, serr := os.Stat(filepath.Join(k.dir, "vault.key")); serr == nil && k.backend == "file" {
			return nil, &KeyError{Err: fmt.Errorf("not found in keyring backend %s", k.backend),
				Fix: "this store was created without AZCRED_KEYRING_PASSPHRASE (its key is in " + filepath.Join(k.dir, "vault.key") + "): unset it"}
		}
		return nil, &KeyringError{Backend: k.backend, Err: errors.New("the vault key is not in this keyring (another backend or passphrase wrote the vault?)")}
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	err = k.call(func(ring keyring.Keyring) error {
		return ring.Set(keyring.Item{Key: itemKey(id), Data: []byte(base64.StdEncoding.EncodeToString(key)),
			Label: "azcred vault key", Description: "encrypts azcred's token cache"})
	})
	if err != nil {
		return nil, k.wrap(fmt.Errorf("cannot save the vault key: %w", err))
	}
	return key, nil
}

// wrap turns a backend's error into one line naming the backend.
func (k *KeyringKeys) wrap(err error) error {
	var ke *KeyringError
	if errors.As(err, &ke) {
		return err
	}
	return &KeyringError{Backend: k.backend, Err: errors.New(explainBackendError(err))}
}

// explainBackendError shortens the D-Bus errors users meet into words.
func explainBackendError(err error) string {
	msg := strings.TrimSpace(err.Error())
	msg, _, _ = strings.Cut(msg, "\n")
	switch {
	case errors.Is(err, keyring.ErrNoAvailImpl):
		return "cannot open it (is its daemon running and answering?)"
	case strings.Contains(msg, "IsLocked") || strings.Contains(strings.ToLower(msg), "locked object"):
		return "the keyring is locked"
	case strings.Contains(msg, "org.freedesktop.secrets") && (strings.Contains(msg, "not provided") || strings.Contains(msg, "ServiceUnknown")):
		return "no Secret Service daemon on the session bus (gnome-keyring, KeePassXC...)"
	case strings.Contains(msg, "aes.KeyUnwrap") || strings.Contains(msg, "integrity check failed"):
		return "wrong passphrase for the keyring file"
	}
	return msg
}

// RemoveVaultKey implements KeySource.
func (k *KeyringKeys) RemoveVaultKey(id string) {
	k.call(func(ring keyring.Keyring) error { return ring.Remove(itemKey(id)) })
}

// Describe implements KeySource.
func (k *KeyringKeys) Describe() KeyInfo { return k.info }

// FileKeys keeps the vault key in a 0600 file in the store: for session
// stores (short-lived, private to one shell) and for the file backend
// without a passphrase, where only file permissions protect the key.
type FileKeys struct {
	Path    string
	Backend string
	Auto    string // why auto chose it, if it did
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
	return KeyInfo{Backend: f.Backend, Protection: "file", Detail: "generated key in " + f.path(), Auto: f.Auto}
}

// checkKeyringDir applies the store's rules to the passphrase keyring's
// directory, whose items the keyring package reads whole with os.ReadFile:
// a plain directory of ours holding only regular files of ours, none
// larger than the store reads. A FIFO there would hang the read, a link
// to /dev/zero exhaust memory.
func checkKeyringDir(dir string) error {
	if err := CheckDir(dir, true); err != nil {
		return err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	for _, e := range ents {
		path := filepath.Join(dir, e.Name())
		st, err := os.Lstat(path)
		if err != nil {
			continue // removed meanwhile
		}
		if err := checkFile(path, st); err != nil {
			return err
		}
		if st.Size() > maxFileSize {
			return &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%d bytes, limit %d)", ErrTooLarge, st.Size(), maxFileSize)}
		}
	}
	return nil
}
