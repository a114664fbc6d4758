package helper

import (
	"errors"
	"fmt"
)

// HintError is an error with the command that fixes it. The CLI prints
// "azcred: error: ERR" and "azcred: hint: HINT".
type HintError struct {
	Err  error
	Hint string
}

func (e *HintError) Error() string { return e.Err.Error() }
func (e *HintError) Unwrap() error { return e.Err }

// WithHint attaches a hint to err (nil stays nil).
func WithHint(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &HintError{Err: err, Hint: fmt.Sprintf(format, args...)}
}

// Hint returns the hint attached to err, if any: a HintError's, or that
// of an error from a package below helper with a Hint method
// (store.KeyError).
func Hint(err error) string {
	var h *HintError
	if errors.As(err, &h) {
		return h.Hint
	}
	var hinter interface{ Hint() string }
	if errors.As(err, &hinter) {
		return hinter.Hint()
	}
	return ""
}

// ErrNoContext is returned when resolution finds no context.
var ErrNoContext = errors.New("no saved context")
