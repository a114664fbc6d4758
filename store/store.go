package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Store is one store directory: the user store or a session store.
type Store struct {
	dir     string
	session bool
	keys    KeySource
	// ReadOnly makes Update and UpdateSecrets validate and then return
	// ErrNotSaved without writing: autosave is off.
	ReadOnly bool

	checkOnce sync.Once
	unsafe    error
}

// Getenv is the environment as the store sees it (os.Getenv in the CLI, a
// map in tests).
type Getenv func(string) string

// UserDir returns the user store directory: AZCRED_CONFIG_DIR, else
// os.UserConfigDir()/azcred.
func UserDir(getenv Getenv) (string, error) {
	if d := getenv("AZCRED_CONFIG_DIR"); d != "" {
		return filepath.Abs(d)
	}
	base, err := os.UserConfigDir()
	if err != nil || base == "" {
		return "", ErrNoConfigDir
	}
	return filepath.Join(base, "azcred"), nil
}

// Open returns the store in dir. It touches nothing on disk: stores are
// created on first write. keys provides the vault key.
func Open(dir string, keys KeySource) *Store { return &Store{dir: dir, keys: keys} }

// OpenSession returns a session (process-scope) store.
func OpenSession(dir string, keys KeySource) *Store {
	return &Store{dir: dir, keys: keys, session: true}
}

// Dir is the store directory.
func (s *Store) Dir() string { return s.dir }

// Keys is the store's key source, so `azcred doctor` can say where the
// vault key lives and how it is protected.
func (s *Store) Keys() KeySource { return s.keys }

// IsSession reports whether this is a process-scope session store.
func (s *Store) IsSession() bool { return s.session }

// ConfigPath is the absolute path of config.json.
func (s *Store) ConfigPath() string { return filepath.Join(s.dir, "config.json") }

// VaultPath is the absolute path of vault.bin.
func (s *Store) VaultPath() string { return filepath.Join(s.dir, "vault.bin") }

func (s *Store) lockPath() string { return filepath.Join(s.dir, ".lock") }

// Check refuses a store directory that another user owns or can write
// (see safefile.go). It stats the directory once per Store; every read
// and write of the store goes through it.
func (s *Store) Check() error {
	s.checkOnce.Do(func() {
		if s.session {
			s.unsafe = CheckSessionDir(s.dir)
		} else {
			s.unsafe = CheckDir(s.dir, false)
		}
	})
	return s.unsafe
}

// Load reads config.json. A missing file is an empty config. Reads take no
// lock: files only ever change by atomic rename.
func (s *Store) Load() (*Config, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	path := s.ConfigPath()
	data, err := readStoreFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return NewConfig(), nil
	}
	if err != nil {
		return nil, storeError(err)
	}
	return ParseConfig(path, data)
}

// ParseConfig decodes a config.json, reporting problems against path.
func ParseConfig(path string, data []byte) (*Config, error) {
	data = StripBOM(data)
	cfg := NewConfig()
	cfg.Version = 0
	if err := json.Unmarshal(data, cfg); err != nil {
		var probe struct {
			Version *int `json:"version"`
		}
		if json.Unmarshal(data, &probe) == nil && probe.Version != nil {
			if *probe.Version > SchemaVersion { // a newer schema may change shapes
				return nil, &CorruptError{Path: path, Err: fmt.Errorf("written by a newer azcred (schema %d, this one knows %d); upgrade azcred", *probe.Version, SchemaVersion)}
			}
			return nil, &CorruptError{Path: path, Err: fmt.Errorf("not a valid azcred config (%v); fix or move the file away", shortJSONError(err))}
		}
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("not valid JSON (%v); fix or move the file away", shortJSONError(err))}
	}
	switch {
	case cfg.Version == 0:
		return nil, &CorruptError{Path: path, Err: errors.New("not an azcred config file (no version); fix or move the file away")}
	case cfg.Version > SchemaVersion:
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("written by a newer azcred (schema %d, this one knows %d); upgrade azcred", cfg.Version, SchemaVersion)}
	case cfg.Version < 0:
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("unknown schema version %d", cfg.Version)}
	}
	if cfg.Contexts == nil {
		cfg.Contexts = map[string]*Context{}
	}
	if cfg.Environments == nil {
		cfg.Environments = map[string]*Environment{}
	}
	for name, c := range cfg.Contexts {
		if c == nil {
			return nil, &CorruptError{Path: path, Err: fmt.Errorf("context %q is null", name)}
		}
		c.Name = name
	}
	for name, e := range cfg.Environments {
		if e == nil {
			return nil, &CorruptError{Path: path, Err: fmt.Errorf("environment %q is null", name)}
		}
		e.Name = name
	}
	return cfg, nil
}

func shortJSONError(err error) string {
	msg := err.Error()
	if len(msg) > 120 {
		msg = msg[:120] + "…"
	}
	return msg
}

// Update runs fn on the current config under the store lock and saves the
// result atomically. If fn fails nothing is written. With ReadOnly set,
// fn still runs (so invalid changes still fail) but Update returns
// ErrNotSaved and writes nothing.
func (s *Store) Update(fn func(*Config) error) error {
	if s.ReadOnly {
		cfg, err := s.Load()
		if err != nil {
			return err
		}
		if err := fn(cfg); err != nil {
			return err
		}
		return ErrNotSaved
	}
	return s.locked(func() error {
		cfg, err := s.Load()
		if err != nil {
			return err
		}
		if err := fn(cfg); err != nil {
			return err
		}
		return s.writeConfig(cfg)
	})
}

// locked runs fn under the store lock, creating the store directory first.
// Temp files that killed writes left behind are removed first.
func (s *Store) locked(fn func() error) error {
	if err := s.Check(); err != nil {
		return err
	}
	if err := ensureDir(s.dir); err != nil {
		return err
	}
	unlock, err := lockFile(context.Background(), s.lockPath())
	if err != nil {
		return err
	}
	defer unlock()
	scrubTemp(s.dir)
	return fn()
}

// storeError prefixes errors of the store, but leaves an *UnsafeError (which
// names its path and fix in one line) as it is.
func storeError(err error) error {
	if errors.As(err, new(*UnsafeError)) {
		return err
	}
	return fmt.Errorf("store: %w", err)
}

func (s *Store) writeConfig(cfg *Config) error {
	cfg.Version = SchemaVersion
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return fmt.Errorf("store: encode config: %w", err)
	}
	data = append(data, '\n')
	if err := WriteFileAtomic(s.ConfigPath(), data, fileMode); err != nil {
		return fmt.Errorf("store: cannot write %s: %w", s.ConfigPath(), err)
	}
	if st, err := os.Stat(s.ConfigPath()); err == nil {
		s.writeIndex(cfg, st)
	}
	return nil
}

// RemoveAll deletes a session store directory, but only one that
// CheckSessionDir says azcred made and that holds nothing but azcred's
// files; protect names more directories it must never be (the user store).
func (s *Store) RemoveAll(protect ...string) error {
	if !s.session {
		return errors.New("store: refusing to delete the user store")
	}
	if err := CheckSessionDir(s.dir, protect...); err != nil {
		return err
	}
	if _, err := os.Lstat(s.dir); errors.Is(err, fs.ErrNotExist) {
		return nil // already gone (a reboot empties the runtime dir)
	}
	if err := checkSessionContents(s.dir); err != nil {
		return err
	}
	return os.RemoveAll(s.dir)
}
