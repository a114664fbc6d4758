package protocols

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ErrMalformed is wrapped by every error caused by the content of a request,
// as opposed to a failed read, so callers can choose the protocol's "bad
// input" shape with errors.Is.
var ErrMalformed = errors.New("malformed request")

// malformedError carries a message of its own while matching ErrMalformed, so
// the text the user sees is not suffixed with ": malformed request".
type malformedError struct{ msg string }

func (e *malformedError) Error() string        { return e.msg }
func (e *malformedError) Is(target error) bool { return target == ErrMalformed }

// malformed formats a one-line error about the input. Callers must pass only
// key names, counts and positions, never values read from the input.
func malformed(format string, args ...any) error {
	return &malformedError{msg: fmt.Sprintf(format, args...)}
}

// readBounded reads r to EOF but never more than max+1 bytes, so a caller
// that pipes an endless stream gets an error instead of an OOM.
func readBounded(r io.Reader, max int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", what, err)
	}
	if int64(len(b)) > max {
		return nil, malformed("%s: input larger than %d bytes", what, max)
	}
	return b, nil
}

// isControl reports the bytes that must never appear inside a one-line value:
// ASCII controls (including newline, CR, NUL) and DEL.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// oneLine makes s safe for a one-line message: control characters become
// spaces and it is cut to at most max bytes on a rune boundary.
func oneLine(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s)
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
