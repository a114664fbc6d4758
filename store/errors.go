package store

import (
	"errors"
	"fmt"
)

var (
	// ErrNotSaved is returned by Update when autosave is off: the change
	// was valid but nothing was written.
	ErrNotSaved = errors.New("autosave is off: nothing was saved")
	// ErrEmptyName rejects blank context names.
	ErrEmptyName = errors.New("a context name cannot be empty")
	// ErrNoConfigDir means neither AZCRED_CONFIG_DIR nor a user config
	// directory (HOME) is available.
	ErrNoConfigDir = errors.New("store: cannot find a config directory: HOME is not set")
)

// NotFoundError names something that is not in the store.
type NotFoundError struct{ Kind, Name string }

func (e *NotFoundError) Error() string { return fmt.Sprintf("no %s named %q", e.Kind, e.Name) }

// ExistsError names something that is already in the store.
type ExistsError struct{ Kind, Name string }

func (e *ExistsError) Error() string {
	return fmt.Sprintf("a %s named %q already exists", e.Kind, e.Name)
}

// CorruptError reports a store file that cannot be used. The file is never
// overwritten while it is in this state.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string { return fmt.Sprintf("store: %s: %v", e.Path, e.Err) }
func (e *CorruptError) Unwrap() error { return e.Err }

// KeyError is a vault key that cannot be had, with the fix: the CLI
// prints Fix as its hint.
type KeyError struct {
	Err error
	Fix string
}

func (e *KeyError) Error() string { return e.Err.Error() }
func (e *KeyError) Unwrap() error { return e.Err }

// Hint is the command or setting that fixes e.
func (e *KeyError) Hint() string { return e.Fix }
