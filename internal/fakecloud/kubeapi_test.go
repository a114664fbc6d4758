package fakecloud

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kubeconfigFor writes a kubeconfig for k with a static token user.
func kubeconfigFor(t *testing.T, k *Cluster, token string) string {
	t.Helper()
	cfg := `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: ` + k.URL + `
    certificate-authority-data: ` + k.CAData + `
users:
- name: fake
  user:
    token: "` + token + `"
contexts:
- name: fake
  context:
    cluster: fake
    user: fake
current-context: fake
`
	p := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestClusterKubectl(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		t.Skip("kubectl not on PATH: the real-client test needs it")
	}
	c := svcCloud(t)
	k, err := c.StartCluster("aks-fake", "")
	if err != nil {
		t.Fatal(err)
	}
	k.Tenant = svcTenant
	tests := []struct {
		name    string
		token   string
		args    []string
		want    []string
		wantErr bool
	}{
		{"raw namespaces", svcToken(t, c, AKSServerID, svcTenant, time.Hour),
			[]string{"get", "--raw", "/api/v1/namespaces"}, []string{`"NamespaceList"`, `"default"`, `"kube-system"`, `"aks-fake"`}, false},
		{"get namespaces", svcToken(t, c, AKSServerID, svcTenant, time.Hour),
			[]string{"get", "namespaces", "-o", "name"}, []string{"namespace/default", "namespace/kube-system", "namespace/aks-fake"}, false},
		{"version", svcToken(t, c, AKSServerID, svcTenant, time.Hour),
			[]string{"version", "-o", "json"}, []string{`"gitVersion": "v1.30.0-fakecloud"`}, false},
		{"wrong audience", svcToken(t, c, DevOpsResource, svcTenant, time.Hour),
			[]string{"get", "--raw", "/api/v1/namespaces"}, nil, true},
		{"other tenant", svcToken(t, c, AKSServerID, svcOtherTenant, time.Hour),
			[]string{"get", "--raw", "/api/v1/namespaces"}, nil, true},
		{"expired", svcToken(t, c, AKSServerID, svcTenant, -time.Hour),
			[]string{"get", "--raw", "/api/v1/namespaces"}, nil, true},
		{"garbage", "not-a-jwt", []string{"get", "--raw", "/api/v1/namespaces"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			refused := c.Count("kube-aks-fake-401")
			args := append([]string{"--kubeconfig", kubeconfigFor(t, k, tt.token), "--request-timeout", "20s"}, tt.args...)
			cmd := exec.Command("kubectl", args...)
			cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "KUBECONFIG=")
			out, err := cmd.CombinedOutput()
			if tt.wantErr {
				if err == nil {
					t.Fatalf("kubectl succeeded, want failure:\n%s", out)
				}
				if !strings.Contains(string(out), "nauthorized") && !strings.Contains(string(out), "logged in") {
					t.Errorf("kubectl did not report an authentication failure:\n%s", out)
				}
				if c.Count("kube-aks-fake-401") == refused {
					t.Errorf("kube-aks-fake-401 did not count the refusal")
				}
				return
			}
			if err != nil {
				t.Fatalf("kubectl %v: %v\n%s", tt.args, err, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %s:\n%s", w, out)
				}
			}
		})
	}
	if c.Count("kube-aks-fake") == 0 {
		t.Errorf("requests were not counted under kube-aks-fake")
	}
}

func TestClusterHTTP(t *testing.T) {
	c := svcCloud(t)
	const customServerID = "00000000-fake-serv-er00-000000000123"
	k, err := c.StartCluster("custom", customServerID)
	if err != nil {
		t.Fatal(err)
	}
	client := c.HTTPClient()
	tests := []struct {
		name       string
		path       string
		token      string
		wantStatus int
		wantKind   string
	}{
		{"no token", "/api/v1/namespaces", "", http.StatusUnauthorized, "Status"},
		{"default server id refused", "/version", svcToken(t, c, AKSServerID, svcTenant, time.Hour), http.StatusUnauthorized, "Status"},
		{"custom server id, any tenant", "/api/v1/namespaces", svcToken(t, c, customServerID, svcOtherTenant, time.Hour), http.StatusOK, "NamespaceList"},
		{"apis", "/apis", svcToken(t, c, customServerID, svcTenant, time.Hour), http.StatusOK, "APIGroupList"},
		{"api", "/api", svcToken(t, c, customServerID, svcTenant, time.Hour), http.StatusOK, "APIVersions"},
		{"unknown path", "/api/v1/pods", svcToken(t, c, customServerID, svcTenant, time.Hour), http.StatusNotFound, "Status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := bearerDo(t, client, http.MethodGet, k.URL+tt.path, tt.token)
			defer resp.Body.Close()
			var body struct {
				Kind string `json:"kind"`
				Code int    `json:"code"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if resp.StatusCode != tt.wantStatus || body.Kind != tt.wantKind {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, body.Kind, tt.wantStatus, tt.wantKind)
			}
			if body.Kind == "Status" && body.Code != tt.wantStatus {
				t.Errorf("Status.code = %d, want %d", body.Code, tt.wantStatus)
			}
		})
	}
}
