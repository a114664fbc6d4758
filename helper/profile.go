package helper

import (
	"path/filepath"
	"strings"

	"github.com/azcred/azcred/protocols"
	"github.com/azcred/azcred/store"
)

// Profile is the set of stores a command sees: the user store, and the
// session store named by AZCRED_SESSION when set. Contexts are looked up
// in the session store first.
type Profile struct {
	User    *store.Store
	Session *store.Store
	// Autosave is false when AZCRED_AUTOSAVE, AzContextAutoSave or the
	// stored setting turn it off: the user store is then read-only.
	Autosave bool
	// AutosaveSource says which of those decided.
	AutosaveSource string
	// Views makes Load read indexed views of the configs (store.LoadView):
	// what resolving one request needs, at a cost that does not grow with
	// the store. Only the token flows (git, kube, docker, token) set it;
	// a view cannot list contexts or bindings.
	Views  bool
	getenv store.Getenv
}

// OpenProfile opens the stores named by the environment. It reads only
// the environment; files are read on demand.
func OpenProfile(getenv store.Getenv) (*Profile, error) {
	dir, err := store.UserDir(getenv)
	if err != nil {
		return nil, WithHint(err, "set AZCRED_CONFIG_DIR to a directory azcred may use")
	}
	keys, err := store.NewKeyringKeys(dir, getenv)
	if err != nil {
		return nil, WithHint(err, "fix or unset it (AZCRED_KEYRING_BACKEND is one of %s)", strings.Join(store.Backends, ", "))
	}
	p := &Profile{User: store.Open(dir, keys), Autosave: true, AutosaveSource: "default", getenv: getenv}
	if s := getenv("AZCRED_SESSION"); s != "" {
		abs, err := filepath.Abs(s)
		if err != nil {
			return nil, err
		}
		// Refused here, before any command reads or deletes it.
		if err := store.CheckSessionDir(abs, dir); err != nil {
			return nil, err
		}
		p.Session = store.OpenSession(abs, SessionKeys(abs))
	}
	if v, src, ok := autosaveFromEnv(getenv); ok {
		p.Autosave, p.AutosaveSource = v, src
	}
	p.User.ReadOnly = !p.Autosave
	return p, nil
}

// SessionKeys is the key source of a session store.
func SessionKeys(dir string) store.KeySource {
	return store.FileKeys{Path: filepath.Join(dir, "vault.key"), Backend: "session"}
}

func autosaveFromEnv(getenv store.Getenv) (value bool, source string, ok bool) {
	for _, name := range []string{"AZCRED_AUTOSAVE", "AzContextAutoSave"} {
		if v, ok := protocols.ParseBool(getenv(name)); ok {
			return v, name, true
		}
	}
	return false, "", false
}

// ApplyStoredAutosave folds the stored setting in when no environment
// variable decided; call it once the user config has been loaded.
func (p *Profile) ApplyStoredAutosave(cfg *store.Config) {
	if p.AutosaveSource != "default" && p.AutosaveSource != "setting" {
		return
	}
	p.Autosave = cfg.AutosaveOn()
	p.AutosaveSource = "setting"
	p.User.ReadOnly = !p.Autosave
}

// Writable is the store that state changes go to: the session store when
// there is one, else the user store.
func (p *Profile) Writable() *store.Store {
	if p.Session != nil {
		return p.Session
	}
	return p.User
}

// Loaded is a snapshot of both stores' configs.
type Loaded struct {
	User    *store.Config
	Session *store.Config // nil without a session
}

// Load reads the configs (and applies the stored autosave setting).
func (p *Profile) Load() (*Loaded, error) {
	load := (*store.Store).Load
	if p.Views {
		load = (*store.Store).LoadView
	}
	u, err := load(p.User)
	if err != nil {
		return nil, err
	}
	p.ApplyStoredAutosave(u)
	l := &Loaded{User: u}
	if p.Session != nil {
		s, err := load(p.Session)
		if err != nil {
			return nil, err
		}
		l.Session = s
	}
	return l, nil
}

// Find returns the named context and the store it lives in.
func (p *Profile) Find(l *Loaded, name string) (*store.Context, *store.Store, bool) {
	if l.Session != nil {
		if c, ok := l.Session.Lookup(name); ok {
			return c, p.Session, true
		}
	}
	if c, ok := l.User.Lookup(name); ok {
		return c, p.User, true
	}
	return nil, nil, false
}

// Default returns the default context name: the session's, else the user's.
func (l *Loaded) Default() string {
	if l.Session != nil && l.Session.Default != "" {
		return l.Session.Default
	}
	return l.User.Default
}

// Environment finds an environment by name in the session store, then the user store.
func (l *Loaded) Environment(name string) (*store.Environment, error) {
	if l.Session != nil {
		if e, err := l.Session.Environment(name); err == nil {
			return e, nil
		}
	}
	return l.User.Environment(name)
}

// MatchBinding finds the best binding in both stores (session first).
func (l *Loaded) MatchBinding(target string) *store.Binding {
	if l.Session != nil {
		if b := l.Session.MatchBinding(target); b != nil {
			return b
		}
	}
	return l.User.MatchBinding(target)
}

// MSALPartition is the vault key of c's account's MSAL cache
// (store.MSALPartition).
func MSALPartition(c *store.Context) string { return store.MSALPartition(c.AccountKey()) }
