package store

// Rule for session stores: azcred deletes a directory only if it is a
// session store azcred made. `AZCRED_SESSION=. azcred logout` must never
// remove a project, nor AZCRED_SESSION=$AZCRED_CONFIG_DIR the user store.
// A session store is a directory named SessionPrefix+digits, not a link,
// owned by the user, mode 0700, holding only the files a store holds, and
// it is never the user store, HOME, the working directory or a parent of
// any of them.

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// SessionPrefix starts the name of every session store directory.
const SessionPrefix = "azcred-session-"

var sessionName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^` + SessionPrefix + `[0-9]+$`) })

// NewSessionDir creates a fresh session store directory, 0700, in base.
func NewSessionDir(base string) (string, error) {
	dir, err := os.MkdirTemp(base, SessionPrefix+"*")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, dirMode); err != nil {
		return "", err
	}
	return filepath.Abs(dir)
}

// CheckSessionDir refuses a directory that does not look like a session
// store azcred made (see the rule above). A missing directory with the
// right name is fine: a reboot empties the runtime dir. protect names
// further directories dir must not be or contain.
func CheckSessionDir(dir string, protect ...string) error {
	notOurs := func(why string) error {
		return &UnsafeError{Path: dir, Problem: "is not a session store azcred made (" + why + ")",
			Fix: "unset AZCRED_SESSION, or run 'azcred login --scope process' for a new session"}
	}
	if !filepath.IsAbs(dir) || !sessionName().MatchString(filepath.Base(dir)) {
		return notOurs("its name does not start with " + SessionPrefix)
	}
	home, _ := os.UserHomeDir()
	cwd, _ := os.Getwd()
	for _, p := range append(protect, home, cwd) {
		if p != "" && contains(dir, p) {
			return notOurs("it is or holds " + p)
		}
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return nil // missing: nothing to protect, nothing to trust
	}
	if err := CheckDir(dir, true); err != nil {
		return err
	}
	if hasModeBits && st.Mode().Perm() != dirMode {
		return notOurs(fmt.Sprintf("mode %04o, azcred makes them 0700", st.Mode().Perm()))
	}
	return nil
}

// contains reports whether dir is p or a parent of p, comparing the
// paths with links resolved where they exist.
func contains(dir, p string) bool {
	dir, p = realPath(dir), realPath(p)
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func realPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}

// sessionFiles are the names a session store may hold: the store's files,
// the temp files of killed writes, and the locks and token record
// directories (whose regular files are checked by checkSessionContents).
var sessionFiles = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(config\.json|config\.idx|vault\.bin|vault\.key|\.lock|\.(config\.json|config\.idx|vault\.bin|vault\.key)\.tmp-[0-9]+)$`)
})

// checkSessionContents refuses to delete a session store holding anything
// azcred does not put there: someone's files were moved in, or it is not
// ours after all.
func checkSessionContents(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if path == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		parent := filepath.Dir(rel)
		ok := false
		switch {
		case parent == "." && (rel == "locks" || rel == "tokens" || rel == "run"):
			ok = d.IsDir()
		case rel == filepath.Join("run", "failed"):
			ok = d.IsDir()
		case parent == ".":
			ok = d.Type().IsRegular() && sessionFiles().MatchString(rel)
		case parent == "locks" || parent == "tokens" || parent == filepath.Join("run", "failed"):
			ok = d.Type().IsRegular()
		}
		if !ok {
			return &UnsafeError{Path: dir, Problem: "holds " + path + ", which azcred never puts in a session store, so azcred will not delete it",
				Fix: "look at what is in it, delete it yourself if it is yours to delete, and unset AZCRED_SESSION"}
		}
		return nil
	})
}
