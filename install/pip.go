package install

// pip and uv with --keyring-provider subprocess run `keyring get URL USER`
// from PATH (https://pip.pypa.io/en/stable/topics/authentication/#keyring-support,
// https://docs.astral.sh/uv/concepts/authentication/#keyring-providers).
// We make azcred that program without shadowing a real one: a link named
// keyring in a directory of azcred's own (never a shared bin directory),
// which the user puts on PATH, and refuse when PATH already has a keyring
// that is not ours. We also set keyring-provider = subprocess in pip's user
// config, under a marker comment, so --uninstall removes exactly the line
// we added and never a setting the user made.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// PipOptions say where the keyring link and pip's setting go.
type PipOptions struct {
	LinkDir    string // azcred's own directory for the keyring link (PipLinkDir)
	Exe        string // the azcred binary the link points to
	ConfigFile string // pip's config file (PipConfigPath)
	Uninstall  bool
	// Path is the PATH to search for a keyring of the user's ($PATH).
	Path string
}

// pipMarker is the comment above the line we add to pip's config.
const pipMarker = "# added by azcred install pip; azcred install pip --uninstall removes it"

// ErrForeignKeyring is returned when PATH has a keyring that is not
// azcred, anywhere on it: a link of ours earlier on PATH would hide it
// from pip, and one later would be hidden by it.
var ErrForeignKeyring = errors.New("a keyring program that is not azcred is already on PATH")

// KeyringName is the program name pip and uv run.
func KeyringName() string {
	if runtime.GOOS == "windows" {
		return "keyring.exe"
	}
	return "keyring"
}

// PipLinkDir is azcred's own directory for the keyring link:
// $XDG_DATA_HOME/azcred/bin (~/.local/share/azcred/bin) on Linux and BSD,
// ~/Library/Application Support/azcred/bin on macOS and
// %LOCALAPPDATA%\azcred\bin on Windows.
func PipLinkDir(env func(string) string) string {
	home := userHome(env)
	switch runtime.GOOS {
	case "windows":
		if d := env("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "azcred", "bin")
		}
	case "darwin":
		return filepath.Join(home, "Library", "Application Support", "azcred", "bin")
	}
	if d := env("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "azcred", "bin")
	}
	return filepath.Join(home, ".local", "share", "azcred", "bin")
}

// PipConfigPath is pip's user config file: $PIP_CONFIG_FILE when set,
// else pip.conf in $XDG_CONFIG_HOME/pip (~/.config/pip), or pip.ini in
// %APPDATA%\pip on Windows (https://pip.pypa.io/en/stable/topics/configuration/#location).
func PipConfigPath(env func(string) string) string {
	if f := env("PIP_CONFIG_FILE"); f != "" && f != os.DevNull {
		return f
	}
	if runtime.GOOS == "windows" {
		if d := env("APPDATA"); d != "" {
			return filepath.Join(d, "pip", "pip.ini")
		}
	}
	home := userHome(env)
	if runtime.GOOS == "darwin" {
		// pip's rule there: this directory when it exists, else ~/.config/pip.
		if d := filepath.Join(home, "Library", "Application Support", "pip"); isDir(d) {
			return filepath.Join(d, "pip.conf")
		}
	}
	if d := env("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "pip", "pip.conf")
	}
	return filepath.Join(home, ".config", "pip", "pip.conf")
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// InstallPip links keyring to azcred and sets pip's keyring provider, or
// with Uninstall removes both (only what InstallPip added).
func InstallPip(opts PipOptions) ([]Change, error) {
	link := filepath.Join(opts.LinkDir, KeyringName())
	var changes []Change
	if opts.Uninstall {
		ch, err := removeKeyringLink(link, opts.Exe)
		if err != nil {
			return nil, err
		}
		changes = append(changes, ch...)
		ch, err = editPipConfig(opts.ConfigFile, false)
		return append(changes, ch...), err
	}
	if found := foreignKeyring(opts.Path, link, opts.Exe); found != "" {
		return nil, fmt.Errorf("%w: %s", ErrForeignKeyring, found)
	}
	ch, err := makeKeyringLink(link, opts.Exe)
	if err != nil {
		return nil, err
	}
	changes = append(changes, ch...)
	ch, err = editPipConfig(opts.ConfigFile, true)
	return append(changes, ch...), err
}

// makeKeyringLink creates link -> exe (a hard link where symlinks are not
// allowed). A link already there is kept when it is azcred; anything else
// there is never overwritten.
func makeKeyringLink(link, exe string) ([]Change, error) {
	if _, err := os.Lstat(link); err == nil {
		if sameFile(link, exe) {
			return nil, nil
		}
		return nil, fmt.Errorf("install: %s exists and is not azcred; remove it or choose another --dir", link)
	}
	if err := os.MkdirAll(filepath.Dir(link), newDirMode); err != nil {
		return nil, err
	}
	if err := os.Symlink(exe, link); err != nil {
		if err2 := os.Link(exe, link); err2 != nil {
			return nil, fmt.Errorf("install: link %s: %w", link, err)
		}
	}
	return []Change{{File: link, Key: "link", New: exe}}, nil
}

// removeKeyringLink removes link when it is azcred's: a symlink to this
// binary or to any program named azcred*, or a hard link of this binary.
func removeKeyringLink(link, exe string) ([]Change, error) {
	fi, err := os.Lstat(link)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	target, _ := os.Readlink(link)
	ours := sameFile(link, exe) ||
		fi.Mode()&fs.ModeSymlink != 0 && strings.HasPrefix(strings.ToLower(filepath.Base(target)), "azcred")
	if !ours {
		return nil, fmt.Errorf("install: %s is not azcred's link; left alone", link)
	}
	if err := os.Remove(link); err != nil {
		return nil, err
	}
	was := target
	if was == "" {
		was = exe
	}
	return []Change{{File: link, Key: "link", Old: was}}, nil
}

// foreignKeyring returns the first program named keyring on path that is
// neither our link nor azcred itself ("" when there is none). On Windows
// the names pip's shutil.which tries (PATHEXT's usual ones) count too.
func foreignKeyring(path, link, exe string) string {
	names := []string{"keyring"}
	if runtime.GOOS == "windows" {
		names = []string{"keyring.exe", "keyring.bat", "keyring.cmd", "keyring.com"}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		for _, n := range names {
			p := filepath.Join(dir, n)
			fi, err := os.Stat(p)
			if err != nil || fi.IsDir() || runtime.GOOS != "windows" && fi.Mode()&0o111 == 0 {
				continue
			}
			if !sameFile(p, link) && !sameFile(p, exe) {
				return p
			}
		}
	}
	return ""
}

func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// editPipConfig adds (add) or removes our keyring-provider line under
// [global], which applies to every pip command; a keyring-provider the
// user set is never touched.
func editPipConfig(path string, add bool) ([]Change, error) {
	f, err := readMarked(path, "global", "keyring-provider", pipMarker)
	if err != nil {
		return nil, err
	}
	if add {
		return f.add("global", "keyring-provider", "subprocess")
	}
	return f.remove("global", "keyring-provider")
}

// PipUserSetting reports a keyring-provider the user set in pip's
// [global] section ("" when none, or when it is the line azcred added).
func PipUserSetting(path string) string {
	f, err := readMarked(path, "global", "keyring-provider", pipMarker)
	if err != nil {
		return ""
	}
	return f.userSet
}
