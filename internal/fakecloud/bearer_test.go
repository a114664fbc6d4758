package fakecloud

import (
	"net/http"
	"testing"
)

// bearerDo sends method url with "Authorization: Bearer token" (none when
// token is empty) and returns the response; the caller closes its body.
func bearerDo(t *testing.T, client *http.Client, method, url, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
