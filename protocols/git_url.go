package protocols

// Splitting git's url= attribute.
//
// Rules (https://git-scm.com/docs/git-credential#IOFMT, "url"; the algorithm
// is credential_from_url in git's credential.c):
//   - protocol://[user[:password]@]host[/path] — the scheme is mandatory.
//   - The host ends at the first '/', '?' or '#'; userinfo is only what comes
//     before an '@' that precedes that point.
//   - user, password, host and path are percent-decoded (no '+' → space);
//     leading and trailing slashes are trimmed from the path.
//   - Parts missing from the URL are left empty; a URL without a host
//     (cert:///file) gives an empty host.
//   - A decoded part holding a newline, CR or NUL is an error (git refuses
//     newlines; CR and NUL would not survive the line protocol).
//   - Unlike git, which clears the whole credential before applying url=, only
//     the five URL parts are reset: capabilities and lists read earlier stay.
//     git always sends url= first, so the difference is invisible to git.

import "strings"

func (req *GitRequest) setURL(raw string) error {
	schemeEnd := strings.Index(raw, "://")
	if schemeEnd <= 0 {
		// Do not echo raw: it may carry a password.
		return malformed("url has no scheme")
	}
	rest := raw[schemeEnd+3:]
	hostEnd := strings.IndexAny(rest, "/?#")
	if hostEnd < 0 {
		hostEnd = len(rest)
	}
	authority, tail := rest[:hostEnd], rest[hostEnd:]

	var user, pass, host string
	hasUser, hasPass := false, false
	if at := strings.IndexByte(authority, '@'); at >= 0 {
		// git uses the first '@' and the first ':' before it.
		userinfo := authority[:at]
		host = authority[at+1:]
		hasUser = true
		if colon := strings.IndexByte(userinfo, ':'); colon >= 0 {
			user, pass = userinfo[:colon], userinfo[colon+1:]
			hasPass = true
		} else {
			user = userinfo
		}
	} else {
		host = authority
	}
	path := strings.TrimLeft(tail, "/")

	parts := [...]struct {
		name string
		dst  *string
		src  string
		set  bool
	}{
		{"username", &req.Username, user, hasUser},
		{"password", &req.Password, pass, hasPass},
		{"host", &req.Host, host, true},
		{"path", &req.Path, path, path != ""},
	}
	req.Protocol, req.Host, req.Path, req.Username, req.Password = raw[:schemeEnd], "", "", "", ""
	if strings.ContainsAny(req.Protocol, "\r\n\x00") {
		return malformed("url has a control character in its protocol")
	}
	for _, p := range parts {
		if !p.set {
			continue
		}
		v := percentDecode(p.src)
		if strings.ContainsAny(v, "\r\n\x00") {
			return malformed("url has a control character in its %s", p.name)
		}
		*p.dst = v
	}
	// Trailing slashes go after decoding, as in git, but a path is never
	// trimmed to nothing.
	if len(req.Path) > 1 {
		req.Path = req.Path[:1] + strings.TrimRight(req.Path[1:], "/")
	}
	req.URL = raw
	return nil
}

// percentDecode decodes %XX escapes and leaves anything else, including a
// stray '%', as it is (git's url_decode_mem).
func percentDecode(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b.WriteByte(hi<<4 | lo)
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
