package store

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// evilUID returns the uid of a second local user, azcredevil, creating it
// when needed. Ownership tests need root (to chown) and useradd.
func evilUID(t *testing.T) int {
	t.Helper()
	if runtime.GOOS == "windows" || os.Geteuid() != 0 {
		t.Skip("needs root to make files owned by a second user")
	}
	u, err := user.Lookup("azcredevil")
	if err != nil {
		if out, err := exec.Command("useradd", "-m", "azcredevil").CombinedOutput(); err != nil {
			// A concurrent test may have created it meanwhile.
			if u, err = user.Lookup("azcredevil"); err != nil {
				t.Fatalf("useradd azcredevil: %v: %s", err, out)
			}
		} else if u, err = user.Lookup("azcredevil"); err != nil {
			t.Fatal(err)
		}
	}
	uid, _ := strconv.Atoi(u.Uid)
	return uid
}

// snapshot lists every file under dir with its content, to prove that a
// refused command wrote nothing.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			m[p] = string(b)
		} else if err == nil {
			m[p] = info.Mode().String()
		}
		return nil
	})
	return m
}

// TestUnsafeStoreIsRefused: every way another user could change the store,
// or a store file that could block or exhaust a read, is refused with the
// path and the fix, fast, and nothing is written.
func TestUnsafeStoreIsRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits and FIFOs")
	}
	tests := []struct {
		name string
		// break makes the store unsafe and returns the path the error must name.
		breakIt func(t *testing.T, s *Store) string
		want    string
	}{
		{"world-writable dir", func(t *testing.T, s *Store) string { os.Chmod(s.Dir(), 0o777); return s.Dir() }, "chmod 700 "},
		{"group-writable dir", func(t *testing.T, s *Store) string { os.Chmod(s.Dir(), 0o770); return s.Dir() }, "chmod 700 "},
		{"config.json a symlink", func(t *testing.T, s *Store) string {
			other := filepath.Join(t.TempDir(), "evil.json")
			os.WriteFile(other, []byte(`{"version":1}`), 0o600)
			os.Remove(s.ConfigPath())
			os.Symlink(other, s.ConfigPath())
			return s.ConfigPath()
		}, "symbolic link"},
		{"config.json a FIFO", func(t *testing.T, s *Store) string {
			os.Remove(s.ConfigPath())
			mkfifo(t, s.ConfigPath())
			return s.ConfigPath()
		}, "a FIFO"},
		{"config.json writable by others", func(t *testing.T, s *Store) string { os.Chmod(s.ConfigPath(), 0o666); return s.ConfigPath() }, "chmod 600 "},
		{"vault.bin a FIFO", func(t *testing.T, s *Store) string {
			os.Remove(s.VaultPath())
			mkfifo(t, s.VaultPath())
			return s.VaultPath()
		}, "a FIFO"},
		{"vault.bin a symlink to /dev/zero", func(t *testing.T, s *Store) string {
			os.Remove(s.VaultPath())
			os.Symlink("/dev/zero", s.VaultPath())
			return s.VaultPath()
		}, "symbolic link"},
		{"lock file a symlink", func(t *testing.T, s *Store) string {
			os.Remove(s.lockPath())
			os.Symlink(filepath.Join(t.TempDir(), "elsewhere"), s.lockPath())
			return s.lockPath()
		}, "symbolic link"},
		{"dir owned by another user", func(t *testing.T, s *Store) string {
			os.Chown(s.Dir(), evilUID(t), -1)
			return s.Dir()
		}, "belongs to uid"},
		{"config.json owned by another user", func(t *testing.T, s *Store) string {
			os.Chown(s.ConfigPath(), evilUID(t), -1)
			return s.ConfigPath()
		}, "belongs to uid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testStore(t)
			addCtx(t, s, "work", "alice@contoso.example")
			if err := s.UpdateSecrets(func(sec *Secrets) error { sec.Credentials["alice"] = Credential{Secret: "fake-secret"}; return nil }); err != nil {
				t.Fatal(err)
			}
			path := tt.breakIt(t, s)
			before := snapshot(t, s.Dir())
			s = Open(s.Dir(), s.Keys()) // a fresh command
			done := make(chan error, 1)
			go func() {
				_, err := s.Load()
				if err == nil {
					_, err = s.Secrets()
				}
				if err == nil {
					err = s.Update(func(*Config) error { return nil })
				}
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("blocked: a store read hangs")
			}
			var u *UnsafeError
			if !errors.As(err, &u) {
				t.Fatalf("err = %v, want an UnsafeError", err)
			}
			if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("err = %q, want one line naming %s and %q", msg, path, tt.want)
			}
			if after := snapshot(t, s.Dir()); !equalMaps(before, after) {
				t.Errorf("the store changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestFileKeyMustBeRegular: vault.key as a FIFO or a link to /dev/zero is
// refused at once instead of hanging or reading forever.
func TestFileKeyMustBeRegular(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("FIFOs")
	}
	for _, kind := range []string{"fifo", "zero"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			keys := FileKeys{Path: filepath.Join(dir, "vault.key"), Backend: "file"}
			s := Open(dir, keys)
			if err := s.UpdateSecrets(func(sec *Secrets) error { sec.Credentials["a"] = Credential{Secret: "fake-secret"}; return nil }); err != nil {
				t.Fatal(err)
			}
			os.Remove(keys.Path)
			if kind == "fifo" {
				mkfifo(t, keys.Path)
			} else {
				os.Symlink("/dev/zero", keys.Path)
			}
			done := make(chan error, 1)
			go func() { _, err := Open(dir, keys).Secrets(); done <- err }()
			select {
			case err := <-done:
				if !errors.As(err, new(*UnsafeError)) || !strings.Contains(err.Error(), keys.Path) {
					t.Errorf("err = %v, want an UnsafeError naming %s", err, keys.Path)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("reading vault.key blocked")
			}
		})
	}
}

// TestReadFileLimited: the bounded read for paths users name (certificates,
// federated tokens, imports) refuses FIFOs, devices and huge files fast.
func TestReadFileLimited(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("FIFOs")
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	mkfifo(t, fifo)
	big := filepath.Join(dir, "big")
	os.WriteFile(big, bytes.Repeat([]byte("x"), maxFileSize+1), 0o600)
	link := filepath.Join(dir, "link")
	os.WriteFile(filepath.Join(dir, "real"), []byte("ok"), 0o600)
	os.Symlink(filepath.Join(dir, "real"), link)
	for _, tt := range []struct{ path, want string }{
		{fifo, "not a regular file (a FIFO)"},
		{"/dev/zero", "not a regular file (a device)"},
		{big, "too large"},
	} {
		done := make(chan error, 1)
		go func() { _, err := ReadFileLimited(tt.path); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadFileLimited(%s) = %v, want %q", tt.path, err, tt.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("ReadFileLimited(%s) blocked", tt.path)
		}
	}
	// Links are followed for user-named files (Kubernetes mounts tokens through them).
	if b, err := ReadFileLimited(link); err != nil || string(b) != "ok" {
		t.Errorf("ReadFileLimited(link) = %q, %v", b, err)
	}
}

// TestVaultNeverWrittenLargerThanReadable: a write past the read limit is
// refused and the old vault stays readable.
func TestVaultNeverWrittenLargerThanReadable(t *testing.T) {
	s := testStore(t)
	if err := s.UpdateSecrets(func(sec *Secrets) error { sec.Docker["small"] = DockerCredential{Secret: "fake-small"}; return nil }); err != nil {
		t.Fatal(err)
	}
	err := s.UpdateSecrets(func(sec *Secrets) error {
		sec.Docker["huge"] = DockerCredential{Secret: strings.Repeat("x", maxFileSize)}
		return nil
	})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("err = %v, want a refusal", err)
	}
	sec, err := s.Secrets()
	if err != nil {
		t.Fatalf("the old vault is unreadable: %v", err)
	}
	if _, ok := sec.Docker["huge"]; ok || sec.Docker["small"].Secret != "fake-small" {
		t.Errorf("vault = %v, want the old one", sec.Docker)
	}
	if st, _ := os.Stat(s.VaultPath()); st.Size() > maxFileSize {
		t.Errorf("vault is %d bytes", st.Size())
	}
}

// TestStaleTempFilesAreScrubbed: temp files of killed writes (possibly old
// vault copies) go at the next write under the lock, and on clear.
func TestStaleTempFilesAreScrubbed(t *testing.T) {
	for _, op := range []string{"update", "clear"} {
		t.Run(op, func(t *testing.T) {
			s := testStore(t)
			addCtx(t, s, "work", "alice@contoso.example")
			stale := []string{".vault.bin.tmp-123", ".config.json.tmp-456", ".vault.key.tmp-789"}
			for _, n := range stale {
				os.WriteFile(filepath.Join(s.Dir(), n), []byte("old copy"), 0o600)
			}
			var err error
			if op == "clear" {
				err = s.Clear()
			} else {
				err = s.Update(func(*Config) error { return nil })
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range stale {
				if _, err := os.Stat(filepath.Join(s.Dir(), n)); err == nil {
					t.Errorf("%s survived", n)
				}
			}
		})
	}
}

// TestKilledBetweenRenamesLeavesNoContextWithoutCredential stops a login
// (config and vault in one UpdateAll) just before its second rename, as a
// SIGKILL there would: no context may be left without its credential.
func TestKilledBetweenRenamesLeavesNoContextWithoutCredential(t *testing.T) {
	s := testStore(t)
	renames := 0
	beforeRename = func(string) error {
		if renames++; renames == 2 {
			return errors.New("killed")
		}
		return nil
	}
	t.Cleanup(func() { beforeRename = func(string) error { return nil } })
	err := s.UpdateAll(func(cfg *Config, sec *Secrets) error {
		c := &Context{Name: "sp", Account: Account{ID: "app", Type: AccountServicePrincipal}, Tenant: "t1", Environment: "AzureCloud"}
		cfg.SetContext(c)
		cfg.Default = "sp"
		sec.Credentials[c.AccountKey()] = Credential{Secret: "fake-secret"}
		return nil
	}, true)
	if err == nil {
		t.Fatal("the second rename did not fail")
	}
	cfg, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	sec, err := s.Secrets()
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range cfg.Contexts {
		if _, ok := sec.Credentials[c.AccountKey()]; !ok {
			t.Errorf("context %q (default %q) has no credential", name, cfg.Default)
		}
	}
}

// TestUnsafeFixIsPasteable: the fix quotes a path with spaces (macOS keeps
// the store under "Application Support").
func TestUnsafeFixIsPasteable(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits")
	}
	dir := filepath.Join(t.TempDir(), "Application Support", "azcred")
	os.MkdirAll(dir, 0o700)
	os.Chmod(dir, 0o777)
	_, err := Open(dir, nil).Load()
	if err == nil || !strings.HasSuffix(err.Error(), "chmod 700 '"+dir+"'") {
		t.Errorf("err = %v, want the fix with the path quoted", err)
	}
}
