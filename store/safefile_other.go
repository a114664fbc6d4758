//go:build !unix

package store

import (
	"io/fs"
	"os"
)

// Windows has ACLs, not mode bits or O_NOFOLLOW: links are refused by
// an Lstat before the open, and ownership is left to the profile
// directory's ACL.
const (
	openNoFollow = 0
	openNonBlock = 0
	hasModeBits  = false
)

func isLinkError(error) bool { return false }

func refuseLink(path string) error {
	if st, err := os.Lstat(path); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return linkError(path)
	}
	return nil
}

func owner(fs.FileInfo) (uid, me int, ok bool) { return 0, 0, false }
