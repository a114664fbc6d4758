package install

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestWriteConfig(t *testing.T) {
	t.Run("new file in a new directory", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a", "b", "config")
		if _, err := writeConfig(path, []byte("one")); err != nil {
			t.Fatal(err)
		}
		checkFile(t, path, "one", 0o600)
		if _, err := os.Stat(path + BackupSuffix); err == nil {
			t.Error("a backup of a file that did not exist")
		}
		if info, _ := os.Stat(filepath.Dir(path)); info.Mode().Perm() != 0o700 {
			t.Errorf("directory mode %v, want 0700", info.Mode().Perm())
		}
	})
	t.Run("existing file keeps its mode and is backed up 0600", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "config")
		if err := os.WriteFile(path, []byte("one"), 0o640); err != nil {
			t.Fatal(err)
		}
		for _, next := range []string{"two", "three"} {
			prev, _ := os.ReadFile(path)
			if _, err := writeConfig(path, []byte(next)); err != nil {
				t.Fatal(err)
			}
			checkFile(t, path, next, 0o640)
			// The old content may hold credentials: the backup is 0600 whatever the original.
			checkFile(t, path+BackupSuffix, string(prev), 0o600)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 2 {
			t.Errorf("left %d files behind, want the config and its backup", len(entries))
		}
	})
	t.Run("a symlink stays a link", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("symlinks need privileges on windows")
		}
		dir := t.TempDir()
		target := filepath.Join(dir, "dotfiles", "config")
		link := filepath.Join(dir, "config")
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, []byte("one"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		written, err := writeConfig(link, []byte("two"))
		if err != nil {
			t.Fatal(err)
		}
		if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
			t.Errorf("the link was replaced by a file")
		}
		if got, _ := filepath.EvalSymlinks(target); written != got {
			t.Errorf("wrote %s, want the target %s", written, got)
		}
		checkFile(t, target, "two", 0o600)
	})
}

func checkFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != content {
		t.Errorf("%s = %q, want %q", path, b, content)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != mode {
		t.Errorf("%s mode %v, want %v", path, info.Mode().Perm(), mode)
	}
}
