package protocols

// From what a docker-style client sends to a registry host.
//
// Rules:
//   - Clients send a bare host ("contoso.azurecr.io"), a URL
//     ("https://index.docker.io/v1/") or, like crane and other
//     go-containerregistry clients, "host/repository" first and then the
//     host. All of them name the same registry, so the scheme, userinfo,
//     path, query and fragment go and the port stays.
//   - The host is lowercased (DNS is case-insensitive) and must be a
//     dot-separated DNS name of letter/digit/hyphen labels, an IPv4 address,
//     or a bracketed IPv6 address (the reference grammar of
//     https://github.com/distribution/reference, reference.go: domain).
//   - A port is 1-65535, digits only.
//   - Anything else is an error that does not echo the input (it may carry
//     userinfo).

import (
	"net/netip"
	"strconv"
	"strings"
)

// NormalizeRegistry returns the registry host[:port] a server URL names.
func NormalizeRegistry(s string) (host string, err error) {
	if s == "" {
		return "", malformed("registry: empty server URL")
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r == ' ' || isControl(r) }) {
		return "", malformed("registry: server URL contains a space or control character")
	}
	if i := strings.Index(s, "://"); i >= 0 {
		if !validScheme(s[:i]) {
			return "", malformed("registry: server URL has an invalid scheme")
		}
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if s == "" {
		return "", malformed("registry: server URL has no host")
	}
	s = strings.ToLower(s)

	name, port := s, ""
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", malformed("registry: unterminated IPv6 address")
		}
		addr, err := netip.ParseAddr(s[1:end])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "", malformed("registry: invalid IPv6 address")
		}
		name = "[" + addr.String() + "]"
		rest := s[end+1:]
		if rest != "" {
			if rest[0] != ':' {
				return "", malformed("registry: junk after IPv6 address")
			}
			var ok bool
			if port, ok = canonicalPort(rest[1:]); !ok {
				return "", malformed("registry: invalid port")
			}
		}
	} else {
		if i := strings.IndexByte(s, ':'); i >= 0 {
			var ok bool
			name = s[:i]
			if port, ok = canonicalPort(s[i+1:]); !ok {
				return "", malformed("registry: invalid port")
			}
		}
		if !validDNSName(name) {
			return "", malformed("registry: invalid host name")
		}
	}
	if port != "" {
		return name + ":" + port, nil
	}
	return name, nil
}

// validScheme follows RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func validScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// canonicalPort checks a port and drops leading zeros, so "05000" and
// "5000" name the same binding.
func canonicalPort(p string) (string, bool) {
	if p == "" || len(p) > 5 {
		return "", false
	}
	for i := 0; i < len(p); i++ {
		if !isDigit(p[i]) {
			return "", false
		}
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return "", false
	}
	return strconv.Itoa(n), true
}

// validDNSName accepts lowercase labels of letters, digits and inner
// hyphens, 1-63 bytes each, 253 in all. IPv4 addresses pass as all-digit
// labels. No trailing dot: clients never send one and a binding would not
// match it.
func validDNSName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !isAlpha(c) && !isDigit(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
