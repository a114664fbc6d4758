package fakecloud

import (
	"net/http"
	"net/url"
	"strings"
)

// entraHandler routes the Entra ID endpoints; each group is its own counted service.
func (c *Cloud) entraHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /common/discovery/instance", c.service("discovery", http.HandlerFunc(c.discovery)))
	mux.Handle("GET /{tenant}/v2.0/.well-known/openid-configuration", c.service("openid", http.HandlerFunc(c.openIDConfiguration)))
	mux.Handle("GET /{tenant}/discovery/v2.0/keys", c.service("openid", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, c.jwks())
	})))
	mux.Handle("POST /{tenant}/oauth2/v2.0/token", c.service("token", http.HandlerFunc(c.token)))
	mux.Handle("POST /{tenant}/oauth2/v2.0/devicecode", c.service("devicecode", http.HandlerFunc(c.deviceCode)))
	mux.Handle("GET /{tenant}/oauth2/v2.0/authorize", c.service("authorize", http.HandlerFunc(c.authorize)))
	mux.Handle("GET /devicelogin", c.service("authorize", http.HandlerFunc(c.deviceLogin)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		errBadRequest(900561, "The endpoint only accepts the documented methods and paths; got %s %s.", r.Method, r.URL.Path).write(w)
	})
	return mux
}

// isMetaTenant reports whether a path segment names no single tenant, so that the user's home
// tenant applies.
func isMetaTenant(seg string) bool {
	switch strings.ToLower(seg) {
	case "common", "organizations":
		return true
	}
	return false
}

// checkTenant accepts "common", "organizations" and known tenant ids.
func (c *Cloud) checkTenant(seg string) (oauthError, bool) {
	if isMetaTenant(seg) {
		return oauthError{}, true
	}
	c.mu.Lock()
	_, ok := c.dirState.tenantByID(seg)
	c.mu.Unlock()
	if !ok {
		return errUnknownTenant(seg), false
	}
	return oauthError{}, true
}

// openIDConfiguration answers MSAL's tenant discovery. MSAL needs authorization_endpoint,
// token_endpoint and an issuer on the same host as the authority.
func (c *Cloud) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	seg := r.PathValue("tenant")
	if e, ok := c.checkTenant(seg); !ok {
		e.write(w)
		return
	}
	base := c.AuthorityURL + "/" + seg
	issuerTenant := seg
	if isMetaTenant(seg) {
		issuerTenant = "{tenantid}" // what Entra publishes for multi-tenant authorities
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"issuer":                                c.AuthorityURL + "/" + issuerTenant + "/v2.0",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"request_uri_parameter_supported":       false,
		"tenant_region_scope":                   nil,
		"cloud_instance_name":                   "fakecloud",
		"cloud_graph_host_name":                 "graph.fakecloud.invalid",
		"msgraph_host":                          "graph.fakecloud.invalid",
	})
}

// discovery answers AAD instance discovery, which azcred turns off for custom authorities;
// it is here so that a client that does not still works.
func (c *Cloud) discovery(w http.ResponseWriter, r *http.Request) {
	tenant := "common"
	if ae, err := url.Parse(r.URL.Query().Get("authorization_endpoint")); err == nil {
		if parts := strings.Split(strings.Trim(ae.Path, "/"), "/"); len(parts) > 0 && parts[0] != "" {
			tenant = parts[0]
		}
	}
	host := strings.TrimPrefix(c.AuthorityURL, "https://")
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": c.AuthorityURL + "/" + tenant + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []map[string]any{{
			"preferred_network": host,
			"preferred_cache":   host,
			"aliases":           []string{host},
		}},
	})
}
