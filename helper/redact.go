package helper

// Redact is the second line of defence for debug and error text: code
// never formats a secret on purpose, and whatever slips through must still
// not reach the terminal. It must also leave the rest readable: URLs, host
// names, paths, GUIDs and error codes are what --debug is for.
//
// Redacted:
//   - anything shaped like a JWT (eyJ….…), wherever it sits;
//   - the value of a secret-named field, parameter or variable
//     (client_secret=…, "refresh_token":"…", password=…, Secret: …,
//     AZURE_CLIENT_SECRET=…, AZCRED_KEYRING_PASSPHRASE=…);
//   - the password in a URL's user info;
//   - an opaque run, looked at between slashes so that a URL or a path
//     keeps its scheme, host and other segments: 32 or more characters of
//     the base64 and URL-safe alphabets that mix upper case, lower case and
//     digits, or 40 or more letters and digits without a dot (a personal
//     access token, a hex key; host names have dots, GUIDs are 36 long).
//     A run that does not start with a slash (so is no URL tail or absolute
//     path) goes whole: standard base64 has slashes of its own.

import (
	"regexp"
	"strings"
	"sync"
)

var (
	redactOnce sync.Once
	jwtRE      *regexp.Regexp
	fieldRE    *regexp.Regexp
	userinfoRE *regexp.Regexp
	runRE      *regexp.Regexp
)

const redacted = "[redacted]"

// Redact returns s with anything that looks like a secret replaced by
// "[redacted]".
func Redact(s string) string {
	redactOnce.Do(func() {
		jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_.-]*`)
		fieldRE = regexp.MustCompile(`(?i)(\b[A-Za-z0-9_]*(?:client_secret|client_assertion|assertion|access_token|refresh_token|id_token|accessToken|refreshToken|password|passphrase|secret)["']?\s*[=:]\s*["']?)([^\s"'&,;}]+)`)
		userinfoRE = regexp.MustCompile(`(://[^/\s:@]*:)[^/\s@]+@`)
		runRE = regexp.MustCompile(`[A-Za-z0-9_~.+/=-]{32,}`)
	})
	s = jwtRE.ReplaceAllString(s, redacted)
	s = fieldRE.ReplaceAllString(s, "${1}"+redacted)
	s = userinfoRE.ReplaceAllString(s, "${1}"+redacted+"@")
	return runRE.ReplaceAllStringFunc(s, func(run string) string {
		segs := strings.Split(run, "/")
		leaked := false
		for i, seg := range segs {
			if opaque(seg) {
				segs[i], leaked = redacted, true
			}
		}
		if leaked && !strings.HasPrefix(run, "/") {
			// Not a URL's or an absolute path's tail: the short pieces
			// around an opaque one are most likely base64 of the same secret.
			return redacted
		}
		return strings.Join(segs, "/")
	})
}

// opaque reports whether one slash-free run looks like a secret.
func opaque(s string) bool {
	if len(s) < 32 || s == redacted {
		return false
	}
	var upper, lower, digit, dot bool
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'A' <= c && c <= 'Z':
			upper = true
		case 'a' <= c && c <= 'z':
			lower = true
		case '0' <= c && c <= '9':
			digit = true
		case c == '.':
			dot = true
		}
	}
	return upper && lower && digit || len(s) >= 40 && digit && (upper || lower) && !dot
}
