package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// LockKey takes a named lock under locks/ (the single-flight refresh of
// one token across processes). Lock files are removed when their key has
// no cached token (sweepLocks), so taking one checks, once it holds the
// lock, that the file it locked is still the one at the path: a file
// removed between our open and our flock would otherwise give us a lock
// nobody else can see. Then it locks the new file instead.
func (s *Store) LockKey(ctx context.Context, name string) (unlock func(), err error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	path := filepath.Join(s.lockDir(), name)
	ctx, cancel := context.WithTimeout(ctx, lockTimeout)
	defer cancel()
	for {
		if err := ensureDir(s.lockDir()); err != nil {
			return nil, err
		}
		if err := CheckDir(s.lockDir(), true); err != nil {
			return nil, err
		}
		unlock, err := lockPath(ctx, path, os.O_CREATE|os.O_RDWR, 5*time.Millisecond)
		if err != errLockMoved {
			return unlock, err
		}
	}
}

// lockExisting takes the lock on an existing lock file without waiting.
func lockExisting(ctx context.Context, path string) (unlock func(), err error) {
	return lockPath(ctx, path, os.O_RDWR, 0)
}

var errLockMoved = errors.New("store: lock file replaced while waiting")

func lockPath(ctx context.Context, path string, flag int, retry time.Duration) (func(), error) {
	// A lock file is a store file like any other: not a link, not a FIFO,
	// ours and writable by nobody else (openStoreFile), opened so that
	// neither can change under flock's own open.
	f, _, err := openStoreFile(path, flag, fileMode)
	if err != nil {
		if errors.As(err, new(*UnsafeError)) {
			return nil, err
		}
		return nil, fmt.Errorf("store: cannot lock %s: %w", path, err)
	}
	f.Close()
	fl := flock.New(path, flock.SetFlag(flag|openNoFollow|openNonBlock), flock.SetPermissions(fileMode))
	var ok bool
	if retry > 0 {
		ok, err = fl.TryLockContext(ctx, retry)
	} else {
		ok, err = fl.TryLock()
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		fl.Close()
		return nil, fmt.Errorf("store: cannot lock %s: %w", path, err)
	}
	if !ok {
		fl.Close()
		return nil, fmt.Errorf("store: %s is locked by another azcred process (waited %s)", path, lockTimeout)
	}
	held, err1 := fl.Stat()
	now, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || !os.SameFile(held, now) {
		fl.Close() // unlocks
		return nil, errLockMoved
	}
	return func() { fl.Unlock(); fl.Close() }, nil
}
