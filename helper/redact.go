package helper

import (
	"regexp"
	"sync"
)

var (
	redactOnce sync.Once
	redactRE   *regexp.Regexp
)

// Redact replaces anything that looks like a JWT or a long opaque secret
// with "[redacted]". Debug and error text pass through it as a second line
// of defence: code never formats a secret on purpose.
func Redact(s string) string {
	redactOnce.Do(func() {
		redactRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_.-]*|[A-Za-z0-9_~.+/=-]{48,}`)
	})
	return redactRE.ReplaceAllString(s, "[redacted]")
}
