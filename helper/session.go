package helper

import (
	"os"

	"github.com/azcred/azcred/store"
)

// NewSessionDir creates a fresh, private session store directory under
// $XDG_RUNTIME_DIR (a per-user tmpfs) or the temp dir.
func NewSessionDir(getenv store.Getenv) (string, error) {
	base := getenv("XDG_RUNTIME_DIR")
	if base == "" {
		base = os.TempDir()
	}
	return store.NewSessionDir(base)
}
