package install

// Where the helper names go. git runs git-credential-azcred and docker's
// cousins run docker-credential-azcred, each found on PATH. Package
// managers (Homebrew, stow, nix, a ~/bin symlink) put a link named azcred
// on PATH that points into a versioned directory; the link is what
// survives an upgrade, its target is not. So:
//
//   - the symlink azcred was run through is never resolved: the helper
//     names go beside the azcred that PATH finds, as relative links to
//     "azcred", so they follow whatever that name points to next;
//   - when that directory is not writable, they go to a stable directory
//     azcred owns ($XDG_DATA_HOME/azcred/bin), linked to the azcred on
//     PATH, and the caller prints it;
//   - when azcred is not on PATH at all, nothing is linked: the caller
//     says so and how to fix it, since any path it wrote would be the
//     versioned one.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// HelperLink says where a helper name was found or put.
type HelperLink struct {
	Name    string // e.g. docker-credential-azcred
	Path    string // where it is
	Created bool   // this run made the link
	// OnPath is false when the link went to the stable directory and that
	// directory is not on PATH: the caller must say so.
	OnPath bool
}

// NotOnPathError is returned when no azcred is on PATH.
type NotOnPathError struct {
	Running string // the binary that runs (os.Executable), "" if unknown
}

func (e *NotOnPathError) Error() string {
	if e.Running == "" {
		return "azcred is not on PATH"
	}
	return fmt.Sprintf("azcred is not on PATH (this one runs from %s)", e.Running)
}

// LinkOptions are the process's surroundings; tests replace them.
type LinkOptions struct {
	Getenv  func(string) string
	Running string // os.Executable(), named in NotOnPathError only
}

// LookPath finds an executable named name in getenv("PATH"), without
// resolving symlinks (exec.LookPath reads the process's own PATH).
func LookPath(name string, getenv func(string) string) (string, error) {
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	for _, dir := range filepath.SplitList(getenv("PATH")) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && (runtime.GOOS == "windows" || fi.Mode()&0o111 != 0) {
			if abs, err := filepath.Abs(p); err == nil {
				return abs, nil
			}
			return p, nil
		}
	}
	return "", fs.ErrNotExist
}

// AzcredOnPath returns the azcred PATH finds, or a NotOnPathError.
func AzcredOnPath(o LinkOptions) (string, error) {
	p, err := LookPath("azcred", o.Getenv)
	if err != nil {
		return "", &NotOnPathError{Running: o.Running}
	}
	return p, nil
}

// StableBinDir is the directory azcred owns for helper links when the
// one azcred is in cannot be written.
func StableBinDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "azcred", "bin"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", err
		}
	}
	return filepath.Join(home, ".local", "share", "azcred", "bin"), nil
}

// LinkHelper makes sure name runs azcred: found on PATH, else linked
// beside the azcred on PATH, else in StableBinDir.
func LinkHelper(name string, o LinkOptions) (HelperLink, error) {
	l := HelperLink{Name: name}
	if p, err := LookPath(name, o.Getenv); err == nil {
		l.Path, l.OnPath = p, true
		return l, nil
	}
	az, err := AzcredOnPath(o)
	if err != nil {
		return l, err
	}
	file := name
	if runtime.GOOS == "windows" {
		file += ".exe"
	}
	// Relative: the link follows the name azcred, not today's target.
	beside := filepath.Join(filepath.Dir(az), file)
	if fi, err := os.Lstat(beside); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		os.Remove(beside) // dangling: PATH did not find it (an uninstalled version)
	}
	if err := os.Symlink(filepath.Base(az), beside); err == nil {
		l.Path, l.Created, l.OnPath = beside, true, true
		return l, nil
	} else if !errors.Is(err, fs.ErrPermission) && !errors.Is(err, fs.ErrExist) && runtime.GOOS != "windows" {
		return l, fmt.Errorf("install: cannot link %s: %w", beside, err)
	}
	dir, err := StableBinDir(o.Getenv)
	if err != nil {
		return l, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return l, fmt.Errorf("install: cannot create %s: %w", dir, err)
	}
	l.Path = filepath.Join(dir, file)
	os.Remove(l.Path) // an old link from an earlier install
	if err := os.Symlink(az, l.Path); err != nil {
		return l, fmt.Errorf("install: cannot link %s: %w", l.Path, err)
	}
	l.Created = true
	_, err = LookPath(name, o.Getenv)
	l.OnPath = err == nil
	return l, nil
}
