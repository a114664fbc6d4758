package helper

import (
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/azcred/azcred/protocols"
	"github.com/azcred/azcred/store"
)

// Default scopes per caller (CONTRACT.md, "OAuth scope per caller").
const (
	DevOpsScope   = "499b84ac-1321-427f-aa17-267ca6975798/.default"
	AKSServerID   = "6dae42f8-4368-4678-94ff-3960e28e3630"
	RegistryScope = "https://containerregistry.azure.net/.default"
)

// GitTarget is what one git credential request is for.
type GitTarget struct {
	// URL is what bindings are matched against: scheme://host[/path], the
	// host lower-cased (without :443 for https) and the path escaped the
	// way store.NormalizeTarget escapes a bound URL.
	URL string
	// Alias is the organisation's https://dev.azure.com/ORG[/path] URL when
	// the request is for https://ORG.visualstudio.com, the old name of the
	// same organisation, so one binding covers both; otherwise "".
	Alias string
	// DevOps reports whether the host is Azure DevOps (https only: a token
	// is never sent in the clear to a host we only assume is ours).
	DevOps bool
}

// ParseGitTarget works out the target of a git request. The organisation
// is named in the path (https://dev.azure.com/ORG/..., sent only with
// credential.useHttpPath), else in the user name (https://ORG@dev.azure.com,
// which is what Azure DevOps' clone URLs carry), else in the host
// (https://ORG.visualstudio.com). A URL with neither a path nor a user name
// matches host-level bindings only. ok is false for anything that is not
// an http(s) URL with a valid host (a DNS name or an IP address, as
// protocols.NormalizeRegistry checks registries: `attacker.example\.visualstudio.com`
// is not a DevOps host but no host at all), and for a path with a dot-segment
// (`contoso/%2e%2e/fabrikam`): the server may resolve it to another
// organisation than the one a binding prefix would pick, so it is never ours.
func ParseGitTarget(protocol, host, path, username string) (t GitTarget, ok bool) {
	protocol = strings.ToLower(protocol)
	if !IsGitHTTP(protocol) || host == "" || strings.ContainsAny(host, "/?#@") {
		return GitTarget{}, false
	}
	// git connects to the host as it sent it; lower-casing must not turn
	// it into another one (KELVIN SIGN lower-cases to an ASCII k).
	if strings.ContainsFunc(host, func(r rune) bool { return r >= utf8.RuneSelf }) {
		return GitTarget{}, false
	}
	host, err := protocols.NormalizeRegistry(host)
	if err != nil {
		return GitTarget{}, false
	}
	if protocol == "https" {
		host = strings.TrimSuffix(host, ":443")
	}
	path = strings.Trim(path, "/")
	if path == "" && !strings.HasSuffix(host, ".visualstudio.com") {
		// The user name stands in for the path only when it looks like an
		// organisation: an e-mail address or anything with a slash is not.
		path = orgFromUser(username)
	}
	if hasDotSegment(path) {
		return GitTarget{}, false
	}
	base := protocol + "://" + host
	t.URL = base + escapePath(path)
	if protocol != "https" {
		return t, true
	}
	switch {
	case host == "dev.azure.com":
		t.DevOps = true
	case strings.HasSuffix(host, ".visualstudio.com"):
		t.DevOps = true
		org := strings.TrimSuffix(host, ".visualstudio.com")
		if org != "" && !strings.Contains(org, ".") {
			t.Alias = "https://dev.azure.com" + escapePath(org+"/"+path)
		}
	}
	return t, true
}

// Candidates lists the URLs a binding for this target may be written as,
// best first: the URL as git sent it, then (Azure DevOps names are
// case-insensitive) its lower-case form, then the same for Alias. The
// caller uses the first one a binding matches, else URL.
func (t GitTarget) Candidates() []string {
	var out []string
	add := func(u string) {
		if u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	for _, u := range []string{t.URL, t.Alias} {
		add(u)
		if t.DevOps {
			add(strings.ToLower(u))
		}
	}
	return out
}

// IsGitHTTP reports whether a git request's protocol is one a token can
// be for: https, or http for a bound target.
func IsGitHTTP(protocol string) bool {
	p := strings.ToLower(protocol)
	return p == "https" || p == "http"
}

// escapePath turns a decoded git path (as git sends it) into "/escaped"
// with no trailing slash, or "" for an empty path.
func escapePath(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return (&url.URL{Path: "/" + p}).EscapedPath()
}

// hasDotSegment reports whether a decoded path has a "." or ".." segment,
// counting backslashes as separators (IIS does) and segments still
// percent-encoded (a server that decodes twice).
func hasDotSegment(p string) bool {
	p = strings.NewReplacer("%2e", ".", "%2f", "/", "%5c", "/", "\\", "/").Replace(strings.ToLower(p))
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// orgFromUser reads the organisation from a clone URL's user name.
func orgFromUser(u string) string {
	if u == "" || strings.ContainsAny(u, "@/\\:") {
		return ""
	}
	return u
}

// TenantFromChallenge reads the tenant from a Bearer challenge's
// authorization_uri (https://login.microsoftonline.com/TENANT). Only the
// tenant is taken, never the authority host: tokens still come from the
// context's environment. Anything that is not a plain tenant id or domain
// name (and the multi-tenant aliases, which name no tenant) gives "".
func TenantFromChallenge(authorizationURI string) string {
	u, err := url.Parse(authorizationURI)
	if err != nil || u.Scheme != "https" {
		return ""
	}
	tenant, _, _ := strings.Cut(strings.Trim(u.EscapedPath(), "/"), "/")
	switch strings.ToLower(tenant) {
	case "", "common", "organizations", "consumers":
		return ""
	}
	for _, r := range tenant {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return ""
		}
	}
	return tenant
}

// IsRegistryOf reports whether host is a registry of env (its suffix).
func IsRegistryOf(host string, env *store.Environment) bool {
	if env == nil || env.RegistrySuffix == "" {
		return false
	}
	h := strings.ToLower(host)
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	suffix := "." + strings.TrimPrefix(strings.ToLower(env.RegistrySuffix), ".")
	return strings.HasSuffix(h, suffix) && len(h) > len(suffix)
}
