package protocols

// Reading the Entra authority out of the WWW-Authenticate headers git passes
// as wwwauth[] (git >= 2.41, https://git-scm.com/docs/git-credential#IOFMT).
//
// Rules (RFC 9110 §11.6.1, https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1):
//   - A header value holds one or more challenges separated by commas; a
//     challenge is a scheme followed by comma-separated name=value params.
//   - Schemes and param names are case-insensitive; values are tokens or
//     quoted strings with backslash escapes.
//   - Azure DevOps sends the URI unquoted, which is not a valid token
//     ("Bearer authorization_uri=https://login.microsoftonline.com/<tenant>"),
//     so an unquoted value runs to the next comma or space.
//   - The first Bearer challenge with a non-empty authorization_uri wins.
//   - Malformed input never panics: it yields ok=false.

import "strings"

// ParseBearerChallenge returns the authorization_uri of the first Bearer
// challenge found in wwwauth.
func ParseBearerChallenge(wwwauth []string) (authorizationURI string, ok bool) {
	for _, h := range wwwauth {
		if uri, ok := bearerURI(h); ok {
			return uri, true
		}
	}
	return "", false
}

func bearerURI(s string) (string, bool) {
	scheme := ""
	i := 0
	for i < len(s) {
		// Separators between challenges and params.
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ',') {
			i++
		}
		start := i
		for i < len(s) && !strings.ContainsRune(" \t,=\"", rune(s[i])) {
			i++
		}
		name := s[start:i]
		j := skipSpace(s, i)
		if j < len(s) && s[j] == '=' {
			value, next := paramValue(s, skipSpace(s, j+1))
			i = next
			if strings.EqualFold(scheme, "bearer") && strings.EqualFold(name, "authorization_uri") && value != "" {
				return value, true
			}
			continue
		}
		if name == "" {
			// A stray quote or similar: step over it so the loop advances.
			i++
			continue
		}
		// A word not followed by '=' starts a new challenge (or is a
		// token68, which is never a scheme we look for).
		scheme = name
	}
	return "", false
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// paramValue reads a quoted string or a bare value starting at i and returns
// it with the index just past it.
func paramValue(s string, i int) (string, int) {
	if i < len(s) && s[i] == '"' {
		var b strings.Builder
		for i++; i < len(s); i++ {
			switch s[i] {
			case '\\':
				if i+1 < len(s) {
					i++
					b.WriteByte(s[i])
				}
			case '"':
				return b.String(), i + 1
			default:
				b.WriteByte(s[i])
			}
		}
		// Unterminated: take what there is; the caller validates the URI.
		return b.String(), i
	}
	start := i
	for i < len(s) && s[i] != ',' && s[i] != ' ' && s[i] != '\t' {
		i++
	}
	return s[start:i], i
}
