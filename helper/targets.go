package helper

import (
	"net/url"
	"strings"

	"github.com/azcred/azcred/store"
)

// Default scopes per caller (CONTRACT.md, "OAuth scope per caller").
const (
	DevOpsScope   = "499b84ac-1321-427f-aa17-267ca6975798/.default"
	AKSServerID   = "6dae42f8-4368-4678-94ff-3960e28e3630"
	RegistryScope = "https://containerregistry.azure.net/.default"
)

// GitTarget works out the URL a git request is for. Azure DevOps URLs name
// the organisation in the path (https://dev.azure.com/ORG/...), in the
// user name (https://ORG@dev.azure.com, what git sends without
// useHttpPath) or in the host (https://ORG.visualstudio.com). devops
// reports whether the host is Azure DevOps at all.
func GitTarget(protocol, host, path, username string) (target string, devops bool) {
	host = strings.ToLower(host)
	base := strings.ToLower(protocol) + "://" + host
	path = strings.Trim(path, "/")
	switch {
	case host == "dev.azure.com":
		devops = true
		if path != "" {
			return base + "/" + path, true
		}
		if org := orgFromUser(username); org != "" {
			return base + "/" + url.PathEscape(org), true
		}
		return base, true
	case strings.HasSuffix(host, ".visualstudio.com"):
		devops = true
	}
	if path != "" {
		return base + "/" + path, devops
	}
	return base, devops
}

// orgFromUser reads the organisation from a clone URL's user name; a user
// name that is an email is not an organisation.
func orgFromUser(u string) string {
	if u == "" || strings.ContainsAny(u, "@/") {
		return ""
	}
	return u
}

// TenantFromChallenge reads the tenant from a Bearer challenge's
// authorization_uri (https://login.microsoftonline.com/TENANT).
func TenantFromChallenge(authorizationURI string) string {
	u, err := url.Parse(authorizationURI)
	if err != nil {
		return ""
	}
	seg := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(seg) == 0 || seg[0] == "" || seg[0] == "common" || seg[0] == "organizations" {
		return ""
	}
	return seg[0]
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
