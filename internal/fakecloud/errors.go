package fakecloud

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// oauthError is the error body Entra ID's v2.0 endpoints send; MSAL surfaces error,
// error_description (which starts with the AADSTS code), error_codes, suberror and claims.
type oauthError struct {
	status      int
	code        string
	aadsts      int
	description string
	suberror    string
	claims      string
}

func (e oauthError) write(w http.ResponseWriter) {
	now := time.Now().UTC()
	trace := newGUID()
	body := map[string]any{
		"error": e.code,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			e.aadsts, e.description, trace, trace, now.Format("2006-01-02 15:04:05Z")),
		"error_codes":    []int{e.aadsts},
		"timestamp":      now.Format("2006-01-02 15:04:05Z"),
		"trace_id":       trace,
		"correlation_id": trace,
		"error_uri":      "https://login.microsoftonline.com/error?code=" + fmt.Sprint(e.aadsts),
	}
	if e.suberror != "" {
		body["suberror"] = e.suberror
	}
	if e.claims != "" {
		body["claims"] = e.claims
	}
	status := e.status
	if status == 0 {
		status = http.StatusBadRequest
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="fakecloud"`)
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client went away
}

// Errors the token endpoints answer; descriptions follow Entra's wording closely enough for
// tests that grep for the AADSTS code.
func errInvalidSecret(clientID string) oauthError {
	return oauthError{status: 401, code: "invalid_client", aadsts: 7000215,
		description: fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", clientID)}
}

func errUnknownApp(clientID, tenant string) oauthError {
	return oauthError{status: 400, code: "unauthorized_client", aadsts: 700016,
		description: fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'.", clientID, tenant)}
}

func errUnknownTenant(tenant string) oauthError {
	return oauthError{status: 400, code: "invalid_request", aadsts: 90002,
		description: fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant)}
}

func errBadRequest(aadsts int, format string, args ...any) oauthError {
	return oauthError{status: 400, code: "invalid_request", aadsts: aadsts, description: fmt.Sprintf(format, args...)}
}

func errInvalidGrant(aadsts int, format string, args ...any) oauthError {
	return oauthError{status: 400, code: "invalid_grant", aadsts: aadsts, description: fmt.Sprintf(format, args...)}
}

func errInvalidClient(aadsts int, format string, args ...any) oauthError {
	return oauthError{status: 401, code: "invalid_client", aadsts: aadsts, description: fmt.Sprintf(format, args...)}
}
