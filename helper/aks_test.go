package helper

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/azcred/azcred/store"
)

// Resource Manager pages its lists with nextLink; every page is read and the result is
// sorted by resource group and name. A nextLink to another host is refused (the token
// must not leave Resource Manager).
func TestListManagedClustersPages(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer fake-arm-token" || !strings.HasSuffix(r.URL.Path, "/managedClusters") {
			http.Error(w, `{"error":{"code":"Nope","message":"bad request"}}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Query().Get("page") {
		case "":
			w.Write([]byte(`{"value":[{"id":"/subscriptions/s/resourceGroups/rg-b/providers/Microsoft.ContainerService/managedClusters/zeta","name":"zeta",
				"properties":{"kubernetesVersion":"1.29","fqdn":"zeta.example.invalid","aadProfile":{"managed":true},"disableLocalAccounts":true}}],
				"nextLink":"` + srv.URL + `/subscriptions/s/providers/Microsoft.ContainerService/managedClusters?api-version=x&page=2"}`))
		case "2":
			w.Write([]byte(`{"value":[{"id":"/subscriptions/s/resourceGroups/RG-A/providers/Microsoft.ContainerService/managedClusters/alpha","name":"alpha",
				"properties":{"kubernetesVersion":"1.28","currentKubernetesVersion":"1.28.5","privateFQDN":"alpha.private.invalid"}}],
				"nextLink":"https://elsewhere.invalid/next"}`))
		}
	}))
	defer srv.Close()
	e := &Engine{HTTP: srv.Client(), Timeout: 5 * time.Second, Debugf: func(string, ...any) {}}
	env := &store.Environment{Name: "Fake", ResourceManager: srv.URL + "/"}
	_, err := e.ListManagedClusters(context.Background(), env, "fake-arm-token", "s")
	if err == nil || !strings.Contains(err.Error(), "another host (elsewhere.invalid)") {
		t.Fatalf("a nextLink to another host: err = %v", err)
	}
	// Without the foreign link: both pages, sorted.
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("page") == "" {
			w.Write([]byte(`{"value":[{"id":"/subscriptions/s/resourceGroups/rg-b/providers/x/managedClusters/zeta","name":"zeta","properties":{"aadProfile":{"managed":true},"disableLocalAccounts":true}}],
				"nextLink":"` + srv.URL + `/next?page=2"}`))
			return
		}
		w.Write([]byte(`{"value":[{"id":"/subscriptions/s/resourceGroups/RG-A/providers/x/managedClusters/alpha","name":"alpha","properties":{"currentKubernetesVersion":"1.28.5","kubernetesVersion":"1.28","privateFQDN":"alpha.private.invalid"}}]}`))
	})
	got, err := e.ListManagedClusters(context.Background(), env, "fake-arm-token", "s")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "alpha" || got[1].Name != "zeta" {
		t.Fatalf("got %+v", got)
	}
	a, z := got[0], got[1]
	if a.ResourceGroup != "RG-A" || a.KubernetesVersion != "1.28.5" || a.FQDN != "alpha.private.invalid" || a.Entra != "none" || a.LocalAccountsDisabled {
		t.Errorf("alpha = %+v", a)
	}
	if z.Entra != "managed" || !z.LocalAccountsDisabled || z.Subscription != "s" {
		t.Errorf("zeta = %+v", z)
	}
}

func TestExplainAKS(t *testing.T) {
	c := ClusterRef{Subscription: "sub-1", ResourceGroup: "rg", Name: "aks1"}
	tests := []struct {
		name     string
		err      *ARMError
		admin    bool
		wantErr  string
		wantHint string
	}{
		{"unknown cluster", &ARMError{Status: 404, Code: "ResourceNotFound", Message: "gone"}, false,
			`cluster "aks1" in resource group "rg" of subscription sub-1 not found (ResourceNotFound: gone)`, "azcred aks list --subscription sub-1"},
		{"unknown group", &ARMError{Status: 404, Code: "ResourceGroupNotFound", Message: "gone"}, false, "ResourceGroupNotFound", "azcred aks list"},
		{"no role", &ARMError{Status: 403, Code: "AuthorizationFailed"}, false, "not allowed to listClusterUserCredential", ClusterUserRole},
		{"no admin role", &ARMError{Status: 403, Code: "AuthorizationFailed"}, true, "listClusterAdminCredential", "Cluster Admin Role"},
		{"local accounts disabled", &ARMError{Status: 400, Code: "BadRequest", Message: "Getting static credential is not allowed"}, true, "refuses admin credentials: Getting static credential is not allowed", "drop --admin"},
		{"busy", &ARMError{Host: "arm.invalid", Status: 429, Code: "TooManyRequests", Message: "slow down"}, false, "arm.invalid: HTTP 429", "try again later"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			action := "listClusterUserCredential"
			if tt.admin {
				action = "listClusterAdminCredential"
			}
			err := explainAKS(tt.err, c, action, tt.admin)
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(Hint(err), tt.wantHint) {
				t.Errorf("got %q / hint %q; want %q / %q", err, Hint(err), tt.wantErr, tt.wantHint)
			}
			var ae *ARMError
			if !errors.As(err, &ae) && tt.err.Status == 429 {
				t.Errorf("the ARM error is not wrapped")
			}
		})
	}
}

func TestContextForSubscription(t *testing.T) {
	ctx := func(name, id, sub string) *store.Context {
		return &store.Context{Name: name, Subscription: store.Subscription{ID: id, Name: sub}}
	}
	user := &store.Config{Default: "b", Contexts: map[string]*store.Context{
		"a": ctx("a", "sub-1", "Dev"), "b": ctx("b", "sub-1", "Dev"), "c": ctx("c", "sub-2", "Prod"), "t": ctx("t", "", ""),
	}}
	l := &Loaded{User: user}
	for sub, want := range map[string]string{"sub-1": "b", "dev": "b", "PROD": "c", "sub-3": "", "": ""} {
		if got := contextForSubscription(l, sub); got != want {
			t.Errorf("contextForSubscription(%q) = %q, want %q", sub, got, want)
		}
	}
}
