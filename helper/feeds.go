package helper

// Which package feeds are ours, and with which context. Azure Artifacts
// serves cargo and PyPI feeds under https://pkgs.dev.azure.com/ORG/... and
// the old https://ORG.pkgs.visualstudio.com/...; they take the Azure
// DevOps scope (CONTRACT.md, "Scopes for the feeds"). Any other URL gets a
// token only when it is bound; a pinned context alone never makes a URL
// ours, so a global provider setting cannot hand a token to crates.io.

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/azcred/azcred/protocols"
	"github.com/azcred/azcred/store"
)

// FeedTarget is the URL of one feed request.
type FeedTarget struct {
	// URL is https://host[:port]/path as bindings are matched (no user
	// name, query or trailing slash; the path escaped).
	URL string
	// Aliases name the same feed under the organisation's other URLs, so
	// a binding of https://dev.azure.com/ORG (made for git) covers its
	// feeds too: https://pkgs.dev.azure.com/ORG/... and
	// https://dev.azure.com/ORG/... for either host form.
	Aliases []string
	// Artifacts reports an Azure Artifacts host over https.
	Artifacts bool
}

// ParseFeedTarget reads a cargo index URL (sparse+https://...), a pip or
// uv index URL, or the bare host[:port] that pip and uv ask about after
// the URL. ok is false for anything that is not http(s) with a host.
func ParseFeedTarget(raw string) (t FeedTarget, ok bool) {
	raw = strings.TrimSpace(raw)
	raw = strings.TrimPrefix(raw, "sparse+") // cargo's sparse protocol marker
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw // pip's and uv's host-only fallback
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Opaque != "" {
		return FeedTarget{}, false
	}
	// The same host and path rules as git's (targets.go): a DNS name or an
	// address, ASCII only, and no dot-segments that would let one
	// organisation's binding answer for another's feed.
	if strings.ContainsFunc(u.Host, func(r rune) bool { return r >= utf8.RuneSelf }) || hasDotSegment(u.EscapedPath()) {
		return FeedTarget{}, false
	}
	host, err := protocols.NormalizeRegistry(u.Host)
	if err != nil {
		return FeedTarget{}, false
	}
	if u.Scheme == "https" {
		host = strings.TrimSuffix(host, ":443")
	}
	path := escapePath(u.Path)
	t.URL = u.Scheme + "://" + host + path
	if u.Scheme != "https" {
		return t, true
	}
	lower := strings.ToLower(path)
	switch {
	case host == "pkgs.dev.azure.com":
		t.Artifacts = true
		t.Aliases = []string{"https://dev.azure.com" + lower}
	case strings.HasSuffix(host, ".pkgs.visualstudio.com"):
		t.Artifacts = true
		org := strings.TrimSuffix(host, ".pkgs.visualstudio.com")
		if org != "" && !strings.Contains(org, ".") {
			t.Aliases = []string{"https://pkgs.dev.azure.com/" + org + lower, "https://dev.azure.com/" + org + lower}
		}
	}
	return t, true
}

// Candidates lists the URLs a binding may be written as, best first.
func (t FeedTarget) Candidates() []string {
	var out []string
	for _, u := range append([]string{t.URL}, t.Aliases...) {
		for _, v := range []string{u, strings.ToLower(u)} {
			if (v == u || t.Artifacts) && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// feedRequest is one feed credential request, from cargo or pip/uv.
type feedRequest struct {
	URL     string   // as the client sent it
	Pinned  string   // --context, "" for none
	Headers []string // "Name: value" lines of the registry's 401 (cargo)
}

// resolveFeed picks the context for a feed URL. ok is false (and err nil)
// when the URL is not ours.
func (c *Call) resolveFeed(fr feedRequest) (r *Resolved, ok bool, err error) {
	t, ok := ParseFeedTarget(fr.URL)
	if !ok {
		return nil, false, nil
	}
	p, l, err := c.Load()
	if err != nil {
		return nil, true, err
	}
	target, bound := t.URL, false
	for _, u := range t.Candidates() {
		if l.MatchBinding(u) != nil {
			target, bound = u, true
			break
		}
	}
	if !t.Artifacts && !bound {
		c.debugf("feed: %s is neither Azure Artifacts nor bound: not ours", t.URL)
		return nil, false, nil
	}
	r, err = p.Resolve(l, Request{Target: target, Context: fr.Pinned, TenantHint: tenantFromHeaders(fr.Headers),
		DefaultScope: func(*store.Environment) string { return DevOpsScope }})
	if err != nil {
		return nil, true, err
	}
	c.debugf("feed: %s → context %q (%s), tenant %s", target, r.Context.Name, r.Source, r.Tenant)
	return r, true, nil
}

// feedToken resolves and returns a token; ok is false when not ours.
func (c *Call) feedToken(ctx context.Context, fr feedRequest) (tok *Token, ok bool, err error) {
	r, ok, err := c.resolveFeed(fr)
	if !ok || err != nil {
		return nil, ok, err
	}
	e, err := c.Engine()
	if err != nil {
		return nil, true, err
	}
	tok, err = e.Token(ctx, r)
	return tok, true, err
}

// tenantFromHeaders reads a tenant from a 401's headers: Azure DevOps
// names it in X-VSS-ResourceTenant and in the Bearer challenge's
// authorization_uri.
func tenantFromHeaders(headers []string) string {
	var wwwauth []string
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "x-vss-resourcetenant":
			if t := TenantFromChallenge("https://authority/" + value); t != "" && t != "00000000-0000-0000-0000-000000000000" {
				return t
			}
		case "www-authenticate":
			wwwauth = append(wwwauth, value)
		}
	}
	if uri, ok := protocols.ParseBearerChallenge(wwwauth); ok {
		return TenantFromChallenge(uri)
	}
	return ""
}
