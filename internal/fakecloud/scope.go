package fakecloud

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// graphResource is the audience Entra uses when a request names no resource.
const graphResource = "00000003-0000-0000-c000-000000000000"

// oidcScopes are the scopes MSAL appends to every user request; they name no resource.
var oidcScopes = map[string]bool{"openid": true, "profile": true, "offline_access": true, "email": true}

// resourceOf splits the scope parameter into the token audience and the scp claim:
// "https://management.core.windows.net//.default" gives aud "https://management.core.windows.net/",
// "499b84ac-.../.default" gives the GUID, "https://graph.microsoft.com/User.Read" gives aud
// "https://graph.microsoft.com" and scp "User.Read". Scopes for two resources are an error, as
// in Entra (AADSTS70011).
func resourceOf(scope string) (aud, scp string, e *oauthError) {
	var scps []string
	for _, s := range strings.Fields(scope) {
		if oidcScopes[strings.ToLower(s)] {
			continue
		}
		var res, perm string
		switch {
		case strings.HasSuffix(s, "/.default"):
			res, perm = strings.TrimSuffix(s, "/.default"), "user_impersonation"
		case strings.Contains(s, "/"):
			i := strings.LastIndex(s, "/")
			res, perm = s[:i], s[i+1:]
		default:
			res, perm = graphResource, s
		}
		if aud != "" && aud != res {
			err := oauthError{code: "invalid_scope", aadsts: 70011,
				description: "The provided request must include a 'scope' input parameter for a single resource; the scopes requested name more than one."}
			return "", "", &err
		}
		aud = res
		scps = append(scps, perm)
	}
	if aud == "" {
		return graphResource, "openid profile offline_access", nil
	}
	return aud, strings.Join(scps, " "), nil
}

// isDefaultScope reports whether the scope uses the /.default form client credentials need.
func isDefaultScope(scope string) bool {
	for _, s := range strings.Fields(scope) {
		if !oidcScopes[strings.ToLower(s)] && !strings.HasSuffix(s, "/.default") {
			return false
		}
	}
	return true
}

func pkceMatches(challenge, method, verifier string) bool {
	want := verifier
	if method != "plain" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// clientInfo is the client_info MSAL asks for (client_info=1): base64url JSON with the home
// account's object id and tenant, from which MSAL makes the home account id "uid.utid".
func clientInfo(u *userRec) string {
	b, _ := json.Marshal(map[string]string{"uid": u.OID, "utid": u.HomeTenant})
	return base64.RawURLEncoding.EncodeToString(b)
}
