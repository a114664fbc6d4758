package helper

import (
	"os"
	"path/filepath"

	"github.com/azcred/azcred/store"
)

// NewSessionDir creates a fresh, private session store directory under
// $XDG_RUNTIME_DIR (a per-user tmpfs) or the temp dir.
func NewSessionDir(getenv store.Getenv) (string, error) {
	base := getenv("XDG_RUNTIME_DIR")
	if base == "" {
		base = os.TempDir()
	}
	dir, err := os.MkdirTemp(base, "azcred-session-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", err
	}
	return filepath.Abs(dir)
}
