package doctor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/store"
)

// StoreInfo describes one store directory.
type StoreInfo struct {
	Scope      string        `json:"scope"` // user or session
	Dir        string        `json:"dir"`
	Exists     bool          `json:"exists"`
	ConfigPath string        `json:"configPath"`
	Config     string        `json:"config"` // ok, missing, corrupt, unreadable
	VaultPath  string        `json:"vaultPath"`
	Vault      string        `json:"vault"` // ok, missing, unreadable
	Keys       store.KeyInfo `json:"keys"`
}

// checkStores reads both stores' configs and vaults. The helper.Loaded it
// returns holds empty configs for stores that cannot be read, so the
// contexts of the other store are still shown.
func (r *Report) checkStores(p *helper.Profile, o Options) (*helper.Loaded, map[*store.Store]*store.Secrets) {
	secrets := map[*store.Store]*store.Secrets{}
	l := &helper.Loaded{}
	var stores []*store.Store
	stores = append(stores, p.User)
	if p.Session != nil {
		stores = append(stores, p.Session)
	}
	for _, s := range stores {
		info, cfg, sec := r.checkStore(s)
		r.Stores = append(r.Stores, info)
		if s == p.User {
			if cfg == nil {
				cfg = store.NewConfig()
			} else if cfg.Settings.Autosave != nil {
				p.ApplyStoredAutosave(cfg) // without a setting the source stays "default"
			}
			l.User = cfg
		} else {
			if cfg == nil {
				cfg = store.NewConfig()
			}
			l.Session = cfg
		}
		if sec != nil {
			secrets[s] = sec
		}
	}
	return l, secrets
}

func (r *Report) checkStore(s *store.Store) (StoreInfo, *store.Config, *store.Secrets) {
	info := StoreInfo{Scope: "user", Dir: s.Dir(), ConfigPath: s.ConfigPath(), VaultPath: s.VaultPath(), Keys: s.Keys().Describe()}
	if s.IsSession() {
		info.Scope = "session"
	}
	if st, err := os.Stat(s.Dir()); err == nil && st.IsDir() {
		info.Exists = true
	} else if info.Scope == "session" {
		r.add("store", StatusProblem, fmt.Sprintf("AZCRED_SESSION names %s, which does not exist", s.Dir()),
			"run 'azcred login --scope process' again, or unset AZCRED_SESSION")
	}
	if err := s.Check(); err != nil {
		// Nothing in a store another user can change is read, not even here.
		info.Config, info.Vault = "unsafe", "unsafe"
		r.addUnsafe(err)
		return info, nil, nil
	}
	reported := map[string]bool{}

	var cfg *store.Config
	switch c, err := s.Load(); {
	case errors.As(err, new(*store.UnsafeError)):
		info.Config = "unsafe"
		reported[r.addUnsafe(err)] = true
	case err == nil:
		cfg = c
		info.Config = "ok"
		if _, serr := os.Stat(s.ConfigPath()); errors.Is(serr, fs.ErrNotExist) {
			info.Config = "missing"
		}
	case errors.As(err, new(*store.CorruptError)):
		info.Config = "corrupt"
		fix := fmt.Sprintf("repair the file by hand, or move it away and sign in again: mv %s %s", store.QuoteArg(s.ConfigPath()), store.QuoteArg(s.ConfigPath()+".broken"))
		if strings.Contains(err.Error(), "newer azcred") {
			fix = "install the newer azcred that wrote it"
		}
		r.add("store", StatusProblem, err.Error(), fix)
	default:
		info.Config = "unreadable"
		r.add("store", StatusProblem, fmt.Sprintf("cannot read %s: %v", s.ConfigPath(), err), "ls -l "+store.QuoteArg(s.ConfigPath()))
	}

	var sec *store.Secrets
	if _, err := os.Lstat(s.VaultPath()); errors.Is(err, fs.ErrNotExist) {
		info.Vault = "missing"
		sec = &store.Secrets{}
	} else if v, err := s.Secrets(); err == nil {
		info.Vault = "ok"
		sec = v
	} else if errors.As(err, new(*store.UnsafeError)) {
		info.Vault = "unsafe"
		reported[r.addUnsafe(err)] = true
	} else {
		info.Vault = "unreadable"
		r.add("keyring", StatusProblem, err.Error(),
			"set AZCRED_KEYRING_BACKEND (and AZCRED_KEYRING_PASSPHRASE) to what wrote the vault, or start over: azcred context clear && azcred login")
	}
	r.checkPermissions(s.Dir(), reported)
	if info.Keys.Protection == "file" && info.Scope == "user" {
		msg := fmt.Sprintf("the vault key is protected only by file permissions (%s)", info.Keys.Detail)
		if info.Keys.Auto != "" {
			msg += "; AZCRED_KEYRING_BACKEND=auto chose it: " + info.Keys.Auto
		}
		r.add("keyring", StatusInfo, msg,
			"on a desktop, set AZCRED_KEYRING_BACKEND to keychain, wincred or secret-service for the OS keyring")
	}
	if info.Keys.Lifetime != "" && info.Scope == "user" {
		r.add("keyring", StatusInfo, "backend "+info.Keys.Backend+": "+info.Keys.Lifetime, "for keys that outlive a reboot, use AZCRED_KEYRING_BACKEND=secret-service (desktop) or file")
	}
	return info, cfg, sec
}

// addUnsafe reports a store path another user could change (or that is
// not what azcred keeps there) with its fix, and returns the path.
func (r *Report) addUnsafe(err error) string {
	var u *store.UnsafeError
	if !errors.As(err, &u) {
		r.add("store", StatusProblem, err.Error(), helper.Hint(err))
		return ""
	}
	r.add("store", StatusProblem, u.Path+" "+u.Problem+": azcred refuses to use the store", u.Fix)
	return u.Path
}

// checkPermissions flags store files and directories that other users can
// read or change, that are links or not plain files: the vault key may sit
// among them. Paths already reported are skipped. Windows has ACLs, not
// mode bits, so only links and file types are checked there.
func (r *Report) checkPermissions(dir string, reported map[string]bool) {
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || reported[path] {
			return nil // a missing store is not a permission problem
		}
		// s.Check has judged the directory itself (it may be a link).
		if path != dir {
			if err := store.CheckEntry(path); err != nil {
				r.addUnsafe(err)
				return nil
			}
		}
		if runtime.GOOS == "windows" {
			return nil
		}
		st, err := d.Info()
		if err != nil {
			return nil
		}
		mode := st.Mode().Perm()
		if mode&0o077 == 0 {
			return nil
		}
		want, what := "600", "file"
		if d.IsDir() {
			want, what = "700", "directory"
		}
		r.add("store", StatusProblem, fmt.Sprintf("%s %s is %s: other users can read or change it", what, path, modeString(mode)),
			fmt.Sprintf("chmod %s %s", want, store.QuoteArg(path)))
		return nil
	})
}

func modeString(m fs.FileMode) string { return fmt.Sprintf("%04o", uint32(m)) }
