package fakecloud

import (
	"fmt"
	"net/http"
	"strings"
)

// Resource Manager accepts tokens for either of its audiences.
var armAudiences = []string{"https://management.core.windows.net/", "https://management.azure.com/"}

// DefaultResourceGroup holds the registries, and the clusters the standalone fake lists.
const DefaultResourceGroup = "rg-fakecloud"

const registryResourceGroup = DefaultResourceGroup

func (c *Cloud) armHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /subscriptions", c.armAuth(c.listSubscriptions))
	mux.HandleFunc("GET /subscriptions/{id}", c.armAuth(c.getSubscription))
	mux.HandleFunc("GET /tenants", c.armAuth(c.listTenants))
	mux.HandleFunc("GET /subscriptions/{id}/providers/Microsoft.ContainerRegistry/registries", c.armAuth(c.listRegistries))
	c.aksRoutes(mux)
	mux.HandleFunc("/", c.armAuth(func(w http.ResponseWriter, r *http.Request, _ *Claims) {
		armError(w, http.StatusNotFound, "InvalidResourceType", fmt.Sprintf("The resource type could not be found for %s %s.", r.Method, r.URL.Path))
	}))
	return c.service("arm", mux)
}

// armError writes ARM's error shape.
func armError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": message}})
}

// armAuth checks the bearer token (signature, lifetime, audience) and api-version, as ARM
// does before routing.
func (c *Cloud) armAuth(h func(http.ResponseWriter, *http.Request, *Claims)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		token, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="`+c.AuthorityURL+`/common", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."`)
			armError(w, http.StatusUnauthorized, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
			return
		}
		var cl *Claims
		var err error
		for _, aud := range armAudiences {
			if cl, err = c.Verify(token, aud); err == nil {
				break
			}
		}
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="`+c.AuthorityURL+`/common", error="invalid_token", error_description="The access token is invalid."`)
			armError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "The access token is invalid: wrong audience, bad signature or expired.")
			return
		}
		if _, known := c.tenantInfo(cl.Tenant); !known {
			armError(w, http.StatusUnauthorized, "InvalidAuthenticationTokenTenant", fmt.Sprintf("The access token is from the wrong issuer; tenant '%s' is unknown.", cl.Tenant))
			return
		}
		if r.URL.Query().Get("api-version") == "" {
			armError(w, http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
			return
		}
		h(w, r, cl)
	}
}

func (c *Cloud) tenantInfo(id string) (Tenant, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.dirState.tenantByID(id)
	if !ok {
		return Tenant{}, false
	}
	return *t, true
}

func subscriptionJSON(s Subscription) map[string]any {
	return map[string]any{
		"id":             "/subscriptions/" + s.ID,
		"subscriptionId": s.ID,
		"displayName":    s.Name,
		"state":          s.State,
		"tenantId":       s.Tenant,
		"subscriptionPolicies": map[string]string{
			"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off",
		},
		"authorizationSource": "RoleBased",
	}
}

// subscriptionsOf lists the subscriptions of the token's tenant: ARM only shows those.
func (c *Cloud) subscriptionsOf(tenant string) []Subscription {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Subscription
	for _, s := range c.dirState.subs {
		if strings.EqualFold(s.Tenant, tenant) {
			out = append(out, s)
		}
	}
	return out
}

func (c *Cloud) findSubscription(id, tenant string) (Subscription, bool) {
	for _, s := range c.subscriptionsOf(tenant) {
		if strings.EqualFold(s.ID, id) {
			return s, true
		}
	}
	return Subscription{}, false
}

func (c *Cloud) listSubscriptions(w http.ResponseWriter, _ *http.Request, cl *Claims) {
	value := []map[string]any{}
	for _, s := range c.subscriptionsOf(cl.Tenant) {
		value = append(value, subscriptionJSON(s))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": value, "count": map[string]any{"type": "Total", "value": len(value)}})
}

func (c *Cloud) getSubscription(w http.ResponseWriter, r *http.Request, cl *Claims) {
	s, ok := c.findSubscription(r.PathValue("id"), cl.Tenant)
	if !ok {
		armError(w, http.StatusNotFound, "SubscriptionNotFound", fmt.Sprintf("The subscription '%s' could not be found.", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, subscriptionJSON(s))
}

// listTenants lists the tenants the principal belongs to: all of a user's, the one of an app.
func (c *Cloud) listTenants(w http.ResponseWriter, _ *http.Request, cl *Claims) {
	ids := []string{cl.Tenant}
	c.mu.Lock()
	for _, u := range c.dirState.users {
		if u.OID == cl.ObjectID {
			ids = u.Tenants
		}
	}
	value := []map[string]any{}
	for _, id := range ids {
		if t, ok := c.dirState.tenantByID(id); ok {
			value = append(value, map[string]any{
				"id":             "/tenants/" + t.ID,
				"tenantId":       t.ID,
				"displayName":    t.DisplayName,
				"tenantCategory": "Home",
				"defaultDomain":  strings.ToLower(strings.ReplaceAll(t.DisplayName, " ", "")) + ".onmicrosoft.com",
			})
		}
	}
	c.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"value": value})
}

func (c *Cloud) listRegistries(w http.ResponseWriter, r *http.Request, cl *Claims) {
	sub, ok := c.findSubscription(r.PathValue("id"), cl.Tenant)
	if !ok {
		armError(w, http.StatusNotFound, "SubscriptionNotFound", fmt.Sprintf("The subscription '%s' could not be found.", r.PathValue("id")))
		return
	}
	value := []map[string]any{}
	for _, reg := range c.Registries() {
		if !strings.EqualFold(reg.SubscriptionID, sub.ID) {
			continue
		}
		value = append(value, map[string]any{
			"id":       fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ContainerRegistry/registries/%s", sub.ID, registryResourceGroup, reg.Name),
			"name":     reg.Name,
			"type":     "Microsoft.ContainerRegistry/registries",
			"location": "westeurope",
			"sku":      map[string]string{"name": "Basic", "tier": "Basic"},
			"properties": map[string]any{
				"loginServer":       reg.LoginServer,
				"provisioningState": "Succeeded",
				"adminUserEnabled":  false,
			},
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": value})
}
