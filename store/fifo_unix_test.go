//go:build unix

package store

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
}

// The passphrase keyring (keyring/) holds store files too, which the
// keyring package reads whole: a FIFO there fails at once instead of
// hanging until the keyring timeout, a link to /dev/zero is never read.
func TestPassphraseKeyringFilesChecked(t *testing.T) {
	env := map[string]string{"AZCRED_KEYRING_BACKEND": "file", "AZCRED_KEYRING_PASSPHRASE": "fake-pass", "AZCRED_KEYRING_CACHE": "0", "AZCRED_KEYRING_TIMEOUT": "20s"}
	getenv := func(k string) string { return env[k] }
	for _, kind := range []string{"fifo", "dev zero"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			keys, _ := NewKeyringKeys(dir, getenv)
			if err := Open(dir, keys).UpdateSecrets(func(sec *Secrets) error {
				sec.Docker["r"] = DockerCredential{Username: "u", Secret: "fake"}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			items, _ := filepath.Glob(filepath.Join(dir, "keyring", "*"))
			if len(items) != 1 {
				t.Fatalf("keyring/ holds %d items, want 1", len(items))
			}
			os.Remove(items[0])
			if kind == "fifo" {
				mkfifo(t, items[0])
			} else if err := os.Symlink("/dev/zero", items[0]); err != nil {
				t.Fatal(err)
			}
			keys, _ = NewKeyringKeys(dir, getenv)
			start := time.Now()
			_, err := Open(dir, keys).Secrets()
			var unsafe *UnsafeError
			if !errors.As(err, &unsafe) || unsafe.Path != items[0] {
				t.Errorf("err %v, want an UnsafeError naming %s", err, items[0])
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}
