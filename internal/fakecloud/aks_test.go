package fakecloud_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/azcred/azcred/internal/fakecloud"
)

// post sends a POST with a bearer token and decodes a JSON answer.
func post(t *testing.T, c *fakecloud.Cloud, u, token string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), http.MethodPost, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &body) //nolint:errcheck // callers check status
	return resp.StatusCode, body
}

func TestAKS(t *testing.T) {
	c := seeded(t)
	k, err := c.StartCluster("aks1", "")
	if err != nil {
		t.Fatal(err)
	}
	mc := k.ManagedClusterFor(subID, "rg")
	c.AddManagedCluster(mc)
	open := mc
	open.Name, open.DisableLocalAccounts = "open", false
	c.AddManagedCluster(open)
	denied := mc
	denied.Name, denied.Deny = "denied", []string{spClientID}
	c.AddManagedCluster(denied)
	_, tb := spToken(t, c, tenantA, armScope)
	tok := tb["access_token"].(string)
	base := c.ARMURL + "/subscriptions/" + subID
	const v = "?api-version=2024-09-01"

	status, body := get(t, c, base+"/providers/Microsoft.ContainerService/managedClusters"+v, tok)
	if status != 200 || len(body["value"].([]any)) != 3 {
		t.Fatalf("list: %d %v", status, body)
	}
	status, body = get(t, c, base+"/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1"+v, tok)
	props, _ := body["properties"].(map[string]any)
	if status != 200 || props["disableLocalAccounts"] != true || props["aadProfile"] == nil {
		t.Fatalf("get: %d %v", status, body)
	}

	cred := func(rg, name, action string) (int, map[string]any) {
		return post(t, c, base+"/resourceGroups/"+rg+"/providers/Microsoft.ContainerService/managedClusters/"+name+"/"+action+v, tok)
	}
	status, body = cred("rg", "aks1", "listClusterUserCredential")
	if status != 200 {
		t.Fatalf("user credential: %d %v", status, body)
	}
	kc, err := base64.StdEncoding.DecodeString(body["kubeconfigs"].([]any)[0].(map[string]any)["value"].(string))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"certificate-authority-data: " + k.CAData, "server: " + k.URL, "command: kubelogin", "- devicecode", "- " + tenantA} {
		if !strings.Contains(string(kc), want) {
			t.Errorf("kubeconfig lacks %q:\n%s", want, kc)
		}
	}
	if status, body = cred("rg", "open", "listClusterAdminCredential"); status != 200 {
		t.Errorf("admin credential where local accounts are on: %d %v", status, body)
	}

	errs := []struct {
		rg, name, action string
		status           int
		code             string
	}{
		{"rg", "aks1", "listClusterAdminCredential", 400, "BadRequest"},
		{"rg", "nope", "listClusterUserCredential", 404, "ResourceNotFound"},
		{"rg-nope", "aks1", "listClusterUserCredential", 404, "ResourceGroupNotFound"},
		{"rg", "denied", "listClusterUserCredential", 403, "AuthorizationFailed"},
	}
	for _, e := range errs {
		status, body := cred(e.rg, e.name, e.action)
		ae, _ := body["error"].(map[string]any)
		if status != e.status || ae["code"] != e.code || ae["message"] == "" {
			t.Errorf("%s %s/%s: %d %v, want %d %s", e.action, e.rg, e.name, status, body, e.status, e.code)
		}
	}
}
