//go:build unix

package store

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

const (
	openNoFollow = syscall.O_NOFOLLOW
	openNonBlock = syscall.O_NONBLOCK
	// hasModeBits: Unix permission bits say who may write a file.
	hasModeBits = true
)

// isLinkError reports the error open(2) gives for a symbolic link under
// O_NOFOLLOW: ELOOP (Linux, macOS), EMLINK (FreeBSD), EFTYPE (NetBSD).
func isLinkError(err error) bool {
	return errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK)
}

// refuseLink: O_NOFOLLOW does it at open.
func refuseLink(string) error { return nil }

// owner returns the file's owner and our effective uid.
func owner(st fs.FileInfo) (uid, me int, ok bool) {
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(s.Uid), os.Geteuid(), true
}
