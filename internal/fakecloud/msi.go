package fakecloud

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// msiPath is the App Service endpoint's path (IDENTITY_ENDPOINT = MSIURL); imdsPath is the
// Azure VM instance metadata service's.
const (
	msiPath  = "/msi/token"
	imdsPath = "/metadata/identity/oauth2/token"
)

func (c *Cloud) msiHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+msiPath, c.appServiceToken)
	mux.HandleFunc("GET "+imdsPath, c.imdsToken)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		msiError(w, http.StatusNotFound, "no such endpoint: "+r.URL.Path)
	})
	return c.service("msi", mux)
}

// MSIEnv returns the environment that makes MSAL Go (and the Azure SDKs) use the App Service
// source with this cloud's endpoint. Clients must also trust CAFile.
func (c *Cloud) MSIEnv() []string {
	return []string{"IDENTITY_ENDPOINT=" + c.MSIURL, "IDENTITY_HEADER=" + c.MSIHeader}
}

func msiError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"statusCode": status, "message": msg, "correlationId": newGUID()})
}

// appServiceToken implements the 2019-08-01 protocol: X-IDENTITY-HEADER, resource, optional
// client_id / object_id; expires_on is a string of Unix seconds.
func (c *Cloud) appServiceToken(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-IDENTITY-HEADER") != c.MSIHeader {
		msiError(w, http.StatusUnauthorized, "The X-IDENTITY-HEADER header is missing or wrong.")
		return
	}
	q := r.URL.Query()
	if q.Get("api-version") != "2019-08-01" {
		msiError(w, http.StatusBadRequest, "api-version must be 2019-08-01")
		return
	}
	mi, aud, ok := c.miFor(w, q.Get("resource"), q.Get("client_id"), q.Get("object_id"), q.Get("mi_res_id"))
	if !ok {
		return
	}
	tok, exp, err := c.appToken(mi.Tenant, mi.ClientID, mi.OID, aud, nil)
	if err != nil {
		msiError(w, http.StatusInternalServerError, "token signing failed")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"expires_on":   strconv.FormatInt(exp.Unix(), 10),
		"resource":     q.Get("resource"),
		"token_type":   "Bearer",
		"client_id":    mi.ClientID,
	})
}

// imdsToken implements the IMDS shape (Metadata: true; numbers as strings).
func (c *Cloud) imdsToken(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Metadata") != "true" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "Required metadata header not specified"})
		return
	}
	q := r.URL.Query()
	mi, aud, ok := c.miFor(w, q.Get("resource"), q.Get("client_id"), q.Get("object_id"), q.Get("msi_res_id"))
	if !ok {
		return
	}
	tok, exp, err := c.appToken(mi.Tenant, mi.ClientID, mi.OID, aud, nil)
	if err != nil {
		msiError(w, http.StatusInternalServerError, "token signing failed")
		return
	}
	now := time.Now()
	secs := strconv.Itoa(int(exp.Sub(now).Round(time.Second) / time.Second))
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":   tok,
		"client_id":      mi.ClientID,
		"expires_in":     secs,
		"ext_expires_in": secs,
		"expires_on":     strconv.FormatInt(exp.Unix(), 10),
		"not_before":     strconv.FormatInt(now.Unix(), 10),
		"resource":       q.Get("resource"),
		"token_type":     "Bearer",
	})
}

// miFor finds the identity a request names (none: the system-assigned one) and the audience.
func (c *Cloud) miFor(w http.ResponseWriter, resource, clientID, objectID, resID string) (MI, string, bool) {
	if resource == "" {
		msiError(w, http.StatusBadRequest, "resource is required")
		return MI{}, "", false
	}
	if resID != "" {
		msiError(w, http.StatusBadRequest, "fakecloud does not support selecting an identity by resource id")
		return MI{}, "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var found *MI
	switch {
	case clientID != "":
		found = c.dirState.mis[strings.ToLower(clientID)]
	case objectID != "":
		for _, mi := range c.dirState.mis {
			if strings.EqualFold(mi.OID, objectID) {
				found = mi
			}
		}
	default:
		found = c.dirState.mis[""]
	}
	if found == nil {
		msiError(w, http.StatusBadRequest, fmt.Sprintf("No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId (client_id=%q object_id=%q).", clientID, objectID))
		return MI{}, "", false
	}
	return *found, strings.TrimSuffix(resource, "/.default"), true
}
