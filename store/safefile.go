package store

// Rule for every file in a store directory: azcred trusts a store only if
// nobody but its owner can change it. A store directory must belong to the
// user and be writable by nobody else; config.json, vault.bin, vault.key
// and the lock files must be regular files of the user that nobody else can
// write, and are never reached through a symbolic link. Anything else is
// refused with an *UnsafeError naming the path and the fix, before a byte is
// read or written: a config.json another user can replace could point an
// environment's authority at her server and collect a client secret.
//
// Every read of a store file or of a file a user names (certificates,
// federated tokens, imports) opens non-blocking, checks that it is a
// regular file and reads at most maxFileSize bytes, so a FIFO or
// /dev/zero can neither hang a command nor exhaust its memory.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// UnsafeError reports a store path that someone other than its owner could
// change, or that is not what azcred writes there. Nothing is read from or
// written to the store while it is in this state.
type UnsafeError struct {
	Path    string
	Problem string
	// Fix is the command or step that makes the path safe again.
	Fix string
}

func (e *UnsafeError) Error() string {
	return fmt.Sprintf("store: %s %s; azcred will not use it until you fix it: %s", e.Path, e.Problem, e.Fix)
}

// ErrTooLarge is returned for a file or a write over the size azcred reads.
var ErrTooLarge = errors.New("too large")

// Errors of ReadFileLimited are *fs.PathError, so callers can name the
// path themselves and show errors.Unwrap(err).

// ReadFileLimited reads a whole file a user named (a certificate, a
// federated token, an import file). Symbolic links are followed (Kubernetes
// mounts secrets through them), but the file must be regular, and at most
// maxFileSize bytes are read.
func ReadFileLimited(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openNonBlock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: errors.New("not a regular file (" + fileKind(st.Mode()) + ")")}
	}
	return readBounded(f, path, st.Size())
}

// ReadStoreFile reads a file that another package keeps in the store (the
// failure notes under run/) by the store's rules: no symbolic link
// followed, a regular file of ours that nobody else can write, bounded,
// never blocking.
func ReadStoreFile(path string) ([]byte, error) { return readStoreFile(path) }

// readStoreFile reads a file of the store through openStoreFile.
func readStoreFile(path string) ([]byte, error) {
	f, st, err := openStoreFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readBounded(f, path, st.Size())
}

// readBounded reads f, whose size fstat gave as size, refusing anything
// larger than maxFileSize even if the file grows while we read.
func readBounded(f io.Reader, path string, size int64) ([]byte, error) {
	if size > maxFileSize {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%d bytes, limit %d)", ErrTooLarge, size, maxFileSize)}
	}
	b := bytes.NewBuffer(make([]byte, 0, size+1))
	if _, err := b.ReadFrom(io.LimitReader(f, maxFileSize+1)); err != nil {
		return nil, err
	}
	if b.Len() > maxFileSize {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (over %d bytes)", ErrTooLarge, maxFileSize)}
	}
	return b.Bytes(), nil
}

// openStoreFile opens a file of the store without following a symbolic
// link and without blocking, and refuses it unless it is a regular file
// of ours that nobody else can write. flag may add os.O_RDWR|os.O_CREATE
// (lock files).
func openStoreFile(path string, flag int, perm fs.FileMode) (*os.File, fs.FileInfo, error) {
	if err := refuseLink(path); err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(path, flag|openNoFollow|openNonBlock, perm)
	if err != nil {
		if isLinkError(err) {
			return nil, nil, linkError(path)
		}
		return nil, nil, err
	}
	st, err := f.Stat()
	if err == nil {
		err = checkFile(path, st)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

func moveAway(path string) string {
	return fmt.Sprintf("move it away: mv %s %s", QuoteArg(path), QuoteArg(path+".unsafe"))
}

func linkError(path string) error {
	return &UnsafeError{Path: path, Problem: "is a symbolic link, which azcred never follows in its store",
		Fix: fmt.Sprintf("rm %s (and sign in again if it held your contexts)", QuoteArg(path))}
}

// checkFile refuses a store file that is not regular, not ours, or
// writable by others.
func checkFile(path string, st fs.FileInfo) error {
	if st.Mode()&fs.ModeSymlink != 0 {
		return linkError(path)
	}
	if !st.Mode().IsRegular() {
		return &UnsafeError{Path: path, Problem: "is not a regular file (" + fileKind(st.Mode()) + ")",
			Fix: moveAway(path)}
	}
	if uid, me, ok := owner(st); ok && uid != me {
		return &UnsafeError{Path: path, Problem: fmt.Sprintf("belongs to uid %d, not to you (uid %d)", uid, me),
			Fix: moveAway(path)}
	}
	if hasModeBits && st.Mode().Perm()&0o022 != 0 {
		return &UnsafeError{Path: path, Problem: fmt.Sprintf("is writable by other users (mode %04o)", st.Mode().Perm()),
			Fix: "chmod 600 " + QuoteArg(path)}
	}
	return nil
}

// CheckDir refuses a store directory that is not a directory, belongs to
// another user, or that group or others can write. A missing directory is
// fine: azcred creates it 0700 on first write. With noFollow a symbolic
// link is refused too (session stores, the locks directory); the user
// store may be a link (dotfile managers), its target is checked.
func CheckDir(dir string, noFollow bool) error {
	stat := os.Stat
	if noFollow {
		stat = os.Lstat
	}
	st, err := stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return &UnsafeError{Path: dir, Problem: "is a symbolic link, which azcred never follows here", Fix: "rm " + QuoteArg(dir)}
	}
	if !st.IsDir() {
		return &UnsafeError{Path: dir, Problem: "is not a directory (" + fileKind(st.Mode()) + ")",
			Fix: moveAway(dir)}
	}
	if uid, me, ok := owner(st); ok && uid != me {
		return &UnsafeError{Path: dir, Problem: fmt.Sprintf("belongs to uid %d, not to you (uid %d)", uid, me),
			Fix: "use a directory of your own (AZCRED_CONFIG_DIR, or unset AZCRED_SESSION)"}
	}
	if hasModeBits && st.Mode().Perm()&0o022 != 0 {
		return &UnsafeError{Path: dir, Problem: fmt.Sprintf("is writable by other users (mode %04o)", st.Mode().Perm()),
			Fix: "chmod 700 " + QuoteArg(dir)}
	}
	return nil
}

// CheckEntry applies the store's rules to one path without following it:
// a directory as CheckDir does, anything else as a store file. For
// `azcred doctor`, which walks the whole store.
func CheckEntry(path string) error {
	st, err := os.Lstat(path)
	if err != nil {
		return nil
	}
	if st.IsDir() {
		return CheckDir(path, true)
	}
	return checkFile(path, st)
}

// QuoteArg quotes s for a POSIX shell when it needs it, so a fix we print
// can be pasted (macOS keeps the store under "Application Support").
func QuoteArg(s string) string {
	safe := s != ""
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("@%+=:,./_-", c)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// fileKind names a file type for humans.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	}
	return "not a plain file"
}

// scrubTemp removes temp files left by writes that were killed before
// their rename. Call it only under the store lock: then no write is in
// flight, so every temp file is stale (and may hold an old copy of the
// vault, decryptable with the live key).
func scrubTemp(dir string) {
	patterns := []string{".config.json.tmp-*", ".config.idx.tmp-*", ".vault.bin.tmp-*", ".vault.key.tmp-*"}
	if CheckDir(filepath.Join(dir, "tokens"), true) == nil { // never through a link
		patterns = append(patterns, "tokens/.*.tmp-*")
	}
	for _, pattern := range patterns {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, m := range matches {
			os.Remove(m)
		}
	}
}
