package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

const (
	dirMode  = 0o700
	fileMode = 0o600
	// maxFileSize bounds what we read from any store or import file.
	maxFileSize = 16 << 20
)

// lockTimeout bounds how long a command waits for another azcred process
// holding the store lock. flock locks die with their process, so a stale
// lock from a killed process never blocks anyone.
var lockTimeout = 20 * time.Second

// utf8BOM is stripped from every JSON file we read: PowerShell writes it.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// StripBOM removes a leading UTF-8 byte order mark.
func StripBOM(b []byte) []byte { return bytes.TrimPrefix(b, utf8BOM) }

// WriteFileAtomic writes data to path through a temp file in the same
// directory, fsyncs it and renames it over path, so readers see the old or
// the new file and never a mix, even if we are killed half way.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	// What we cannot read back we must not write: the old file stays.
	if len(data) > maxFileSize {
		return fmt.Errorf("refusing to write %d bytes, %w for azcred to read back (limit %d); nothing was changed", len(data), ErrTooLarge, maxFileSize)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if err := tmp.Chmod(perm); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := beforeRename(path); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	ok = true
	syncDir(dir)
	return nil
}

// beforeRename lets tests stop a write just before its rename, as a
// SIGKILL there would.
var beforeRename = func(string) error { return nil }

// syncDir makes the rename durable; best effort (not possible on Windows).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// ensureDir creates dir 0700 (and parents) if missing.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return fmt.Errorf("store: cannot create %s: %w", dir, err)
	}
	return nil
}

// lockFile takes an exclusive flock on path, waiting at most lockTimeout.
// The lock file is a store file like any other: created 0600, never
// reached through a link, regular and ours (checked before flock opens it
// again, also with O_NOFOLLOW).
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	if err := ensureDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	f, _, err := openStoreFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		if errors.As(err, new(*UnsafeError)) {
			return nil, err
		}
		return nil, fmt.Errorf("store: cannot lock %s: %w", path, err)
	}
	f.Close()
	fl := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR|openNoFollow|openNonBlock), flock.SetPermissions(fileMode))
	ctx, cancel := context.WithTimeout(ctx, lockTimeout)
	defer cancel()
	ok, err := fl.TryLockContext(ctx, 5*time.Millisecond)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("store: cannot lock %s: %w", path, err)
	}
	if !ok {
		return nil, fmt.Errorf("store: %s is locked by another azcred process (waited %s)", path, lockTimeout)
	}
	return func() { fl.Unlock() }, nil
}
