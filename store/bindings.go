package store

import (
	"net/url"
	"sort"
	"strings"

	"github.com/azcred/azcred/protocols"
)

// NormalizeTarget puts a binding target in the one form matching uses:
// URLs become scheme://host[:port]/path with a lower-case scheme and host,
// no user info, query or trailing slash; bare hosts (registries) become a
// lower-case host[:port]. Two spellings of one target compare equal.
func NormalizeTarget(t string) (string, error) {
	t = strings.TrimSpace(t)
	if t == "" || strings.ContainsAny(t, " \t\r\n\x00") {
		return "", &InvalidError{What: "target", Value: t, Want: "a URL or a host"}
	}
	if !strings.Contains(t, "://") {
		// A registry host, maybe with a repository path (crane's host/repo):
		// the docker protocol's own normaliser, so a binding and a get agree.
		host, err := protocols.NormalizeRegistry(t)
		if err != nil {
			return "", &InvalidError{What: "target", Value: t, Want: "a URL or a host"}
		}
		return host, nil
	}
	u, err := url.Parse(t)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", &InvalidError{What: "target", Value: t, Want: "an http(s) URL or a host"}
	}
	p := strings.TrimRight(u.EscapedPath(), "/")
	host, err := protocols.NormalizeRegistry(u.Host)
	if err != nil {
		return "", &InvalidError{What: "target", Value: t, Want: "an http(s) URL with a valid host"}
	}
	if host == "dev.azure.com" || host == "pkgs.dev.azure.com" || strings.HasSuffix(host, ".visualstudio.com") {
		// Azure DevOps organisation and project names are case-insensitive.
		p = strings.ToLower(p)
	}
	return strings.ToLower(u.Scheme) + "://" + host + p, nil
}

// hostOf returns the host[:port] of a normalised target.
func hostOf(t string) string {
	if _, rest, ok := strings.Cut(t, "://"); ok {
		h, _, _ := strings.Cut(rest, "/")
		return h
	}
	return t
}

// SetBinding adds or replaces the binding of b.Target (normalised).
func (c *Config) SetBinding(b Binding) error {
	t, err := NormalizeTarget(b.Target)
	if err != nil {
		return err
	}
	if _, err := c.Context(b.Context); err != nil {
		return err
	}
	b.Target = t
	for i := range c.Bindings {
		if c.Bindings[i].Target == t {
			c.Bindings[i] = b
			return nil
		}
	}
	c.Bindings = append(c.Bindings, b)
	sort.Slice(c.Bindings, func(i, j int) bool { return c.Bindings[i].Target < c.Bindings[j].Target })
	return nil
}

// RemoveBinding removes the binding of target.
func (c *Config) RemoveBinding(target string) error {
	t, err := NormalizeTarget(target)
	if err != nil {
		return err
	}
	for i := range c.Bindings {
		if c.Bindings[i].Target == t {
			c.Bindings = append(c.Bindings[:i], c.Bindings[i+1:]...)
			return nil
		}
	}
	return &NotFoundError{Kind: "binding", Name: t}
}

// MatchBinding returns the binding whose target is the longest prefix of
// target on a path-segment boundary, or nil. A URL binding with no path
// is host-level, and also matches that host as a bare (registry) target.
// A bare-host binding is a registry binding: it never matches a URL, so
// `azcred bind 127.0.0.1:5000 ctx` made for docker cannot make git send
// a token to http://127.0.0.1:5000 (a URL only matches URL bindings of
// its own scheme).
func (c *Config) MatchBinding(target string) *Binding {
	t, err := NormalizeTarget(target)
	if err != nil {
		return nil
	}
	if c.index != nil {
		return c.index.matchIndexed(t)
	}
	return bestBinding(c.Bindings, t)
}

// bestBinding is the most specific binding for t; the first of equals.
func bestBinding(bindings []Binding, t string) *Binding {
	var best *Binding
	bestLen := -1
	for i := range bindings {
		b := &bindings[i]
		n := matchLen(b.Target, t)
		if n > bestLen {
			best, bestLen = b, n
		}
	}
	return best
}

// matchLen is how specific binding b is for target t, or -1.
func matchLen(b, t string) int {
	bURL, tURL := strings.Contains(b, "://"), strings.Contains(t, "://")
	switch {
	case bURL && tURL:
		if t == b || strings.HasPrefix(t, b+"/") {
			return len(b)
		}
	case !bURL && !tURL:
		if t == b {
			return len(b)
		}
	case bURL && !tURL:
		// A host-level URL binding and a registry: least specific.
		if hostOf(b) == t && !strings.Contains(b[strings.Index(b, "://")+3:], "/") {
			return 0
		}
	}
	return -1
}
