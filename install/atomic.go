package install

// Rule for every file this package writes: the new content appears all at once or not at
// all, through store.WriteFileAtomic (a temporary file in the same directory, fsynced,
// given the original file's permissions, renamed over the original). Before replacing an
// existing file we keep its previous content in PATH.azcred-backup (overwritten on each
// change, so it always holds the state just before azcred's latest edit). A symlinked config (dotfile managers) is followed, so the
// link stays a link and its target is what changes.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/azcred/azcred/store"
)

// BackupSuffix is appended to a file's path to name the copy kept before azcred edits it.
const BackupSuffix = ".azcred-backup"

// newFileMode is used for files that did not exist: they may hold credentials.
const newFileMode fs.FileMode = 0o600

// newDirMode is used for directories we have to create, for the same reason.
const newDirMode fs.FileMode = 0o700

// writeConfig replaces path with data atomically, backing up the old content first.
// It returns the path actually written (the symlink target, if path is a link).
func writeConfig(path string, data []byte) (string, error) {
	return writeConfigBackup(path, data, nil)
}

// writeConfigBackup is writeConfig with the backup's content made by backup from the
// old content (nil: the old content as is). The backup is always 0600: the old file
// may have held credentials. A nil backup content means no backup at all.
func writeConfigBackup(path string, data []byte, backup func(old []byte) []byte) (string, error) {
	target, err := resolve(path)
	if err != nil {
		return "", err
	}
	mode := newFileMode
	old, err := readConfigFile(target)
	switch {
	case err == nil:
		info, err := os.Stat(target)
		if err != nil {
			return "", err
		}
		mode = info.Mode().Perm()
		if backup != nil {
			old = backup(old)
		}
		if old != nil {
			if err := store.WriteFileAtomic(target+BackupSuffix, old, newFileMode); err != nil {
				return "", fmt.Errorf("back up %s: %w", target, err)
			}
		} else {
			os.Remove(target + BackupSuffix) // an older backup would hold older secrets
		}
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(filepath.Dir(target), newDirMode); err != nil {
			return "", err
		}
	default:
		return "", err
	}
	if err := store.WriteFileAtomic(target, data, mode); err != nil {
		return "", err
	}
	return target, nil
}

// resolve follows symlinks of an existing path; a missing path is returned as is.
func resolve(path string) (string, error) {
	target, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil
	}
	return target, err
}
