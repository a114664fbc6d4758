package store

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestSessionRemoveAllDeletesOnlyOurs: logout deletes a session store only
// when azcred made it; every other directory is refused and kept whole.
func TestSessionRemoveAllDeletesOnlyOurs(t *testing.T) {
	// The working directory and HOME are scratch copies: a regression
	// here must not delete the real ones.
	base := t.TempDir()
	userStore := filepath.Join(base, "user")
	os.MkdirAll(userStore, 0o700)
	tests := []struct {
		name string
		dir  func(t *testing.T) string
	}{
		{"the working directory", func(t *testing.T) string { d := t.TempDir(); t.Chdir(d); return d }},
		{"the working directory named like a session", func(t *testing.T) string {
			d, _ := NewSessionDir(t.TempDir())
			t.Chdir(d)
			return d
		}},
		{"HOME", func(t *testing.T) string { d := t.TempDir(); t.Setenv("HOME", d); return d }},
		{"the user store", func(t *testing.T) string { return userStore }},
		{"a user store named like a session", func(t *testing.T) string {
			d := filepath.Join(base, SessionPrefix+"42")
			os.MkdirAll(d, 0o700)
			userStore = d
			return d
		}},
		{"a parent of HOME named like a session", func(t *testing.T) string {
			d := filepath.Join(t.TempDir(), SessionPrefix+"7")
			os.MkdirAll(filepath.Join(d, "home"), 0o700)
			t.Setenv("HOME", filepath.Join(d, "home"))
			return d
		}},
		{"a project directory", func(t *testing.T) string {
			d := filepath.Join(t.TempDir(), "project")
			os.MkdirAll(d, 0o700)
			return d
		}},
		{"a session holding someone's file", func(t *testing.T) string {
			d, _ := NewSessionDir(t.TempDir())
			os.WriteFile(filepath.Join(d, "thesis.tex"), []byte("years of work"), 0o600)
			return d
		}},
		{"a session holding a subdirectory", func(t *testing.T) string {
			d, _ := NewSessionDir(t.TempDir())
			os.MkdirAll(filepath.Join(d, "locks", "src"), 0o700)
			return d
		}},
		{"a link to a session", func(t *testing.T) string {
			d, _ := NewSessionDir(t.TempDir())
			l := filepath.Join(t.TempDir(), SessionPrefix+"9")
			os.Symlink(d, l)
			return l
		}},
		{"a session made 0755", func(t *testing.T) string {
			if runtime.GOOS == "windows" {
				t.Skip("mode bits")
			}
			d, _ := NewSessionDir(t.TempDir())
			os.Chmod(d, 0o755)
			return d
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir(t)
			before, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			s := OpenSession(dir, FileKeys{Path: filepath.Join(dir, "vault.key")})
			err = s.RemoveAll(userStore)
			var u *UnsafeError
			if !errors.As(err, &u) || !strings.Contains(err.Error(), dir) {
				t.Fatalf("RemoveAll(%s) = %v, want a refusal naming it", dir, err)
			}
			after, err := os.ReadDir(dir)
			if err != nil || len(after) != len(before) {
				t.Fatalf("%s changed: %d entries before, %d after (%v)", dir, len(before), len(after), err)
			}
		})
	}

	t.Run("a session azcred made", func(t *testing.T) {
		dir, err := NewSessionDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		s := OpenSession(dir, FileKeys{Path: filepath.Join(dir, "vault.key"), Backend: "session"})
		if err := s.UpdateSecrets(func(sec *Secrets) error { sec.Docker["r"] = DockerCredential{Secret: "fake"}; return nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LockKey(t.Context(), "abc"); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, ".vault.bin.tmp-1"), nil, 0o600)
		if err := s.RemoveAll(userStore); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still exists", dir)
		}
	})
}

// TestSessionThatIsNotOursIsRefusedOnOpen: reads refuse it too.
func TestSessionThatIsNotOursIsRefusedOnOpen(t *testing.T) {
	dir := t.TempDir() // not named like a session
	s := OpenSession(dir, FileKeys{Path: filepath.Join(dir, "vault.key")})
	if _, err := s.Load(); !errors.As(err, new(*UnsafeError)) {
		t.Errorf("Load = %v, want a refusal", err)
	}
	// A session that is gone (reboot) but named like ours is an empty store.
	gone := filepath.Join(t.TempDir(), SessionPrefix+"123")
	if _, err := OpenSession(gone, FileKeys{Path: filepath.Join(gone, "vault.key")}).Load(); err != nil {
		t.Errorf("Load of a vanished session = %v", err)
	}
}

// TestSessionRemoveAllOfAVanishedSession: logging out of a session a reboot
// removed succeeds.
func TestSessionRemoveAllOfAVanishedSession(t *testing.T) {
	gone := filepath.Join(t.TempDir(), SessionPrefix+"99")
	if err := OpenSession(gone, FileKeys{Path: filepath.Join(gone, "vault.key")}).RemoveAll(); err != nil {
		t.Errorf("RemoveAll of a vanished session = %v", err)
	}
}
