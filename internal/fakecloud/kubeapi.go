package fakecloud

// The fake AKS API server: just enough of the Kubernetes API for kubectl to
// discover the server and list namespaces, behind AKS's Entra ID
// authentication. Every path, /version included, demands a Bearer token for
// the cluster's server application, as an AKS cluster with local accounts
// disabled does; anything else gets the 401 Status kubectl expects.

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

// AKSServerID is the application ID of the AKS AAD server app, the audience
// of tokens for every AKS cluster with Entra ID integration.
const AKSServerID = "6dae42f8-4368-4678-94ff-3960e28e3630"

// Cluster is a running fake AKS API server. Requests count under
// "kube-"+Name; refused ones count under "kube-"+Name+"-401" too.
type Cluster struct {
	Name     string
	URL      string // https://127.0.0.1:PORT, the kubeconfig's server
	Host     string // 127.0.0.1:PORT
	CAData   string // base64 of the CA's PEM, the kubeconfig's certificate-authority-data
	ServerID string // the audience tokens must carry
	// Tenant, when set before the first request, is the only tenant whose
	// tokens are accepted.
	Tenant string

	cloud   *Cloud
	created time.Time
}

// StartCluster starts a fake AKS API server for the cluster name. An empty
// serverID means AKSServerID.
func (c *Cloud) StartCluster(name, serverID string) (*Cluster, error) {
	if name == "" {
		return nil, errors.New("fakecloud: cluster: empty name")
	}
	if serverID == "" {
		serverID = AKSServerID
	}
	caPEM, err := os.ReadFile(c.CAFile)
	if err != nil {
		return nil, fmt.Errorf("fakecloud: cluster: %w", err)
	}
	k := &Cluster{
		Name:     name,
		CAData:   base64.StdEncoding.EncodeToString(caPEM),
		ServerID: serverID,
		cloud:    c,
		created:  time.Now().UTC().Truncate(time.Second),
	}
	srv, err := c.Serve("kube-"+name, k)
	if err != nil {
		return nil, fmt.Errorf("fakecloud: cluster: %w", err)
	}
	k.URL, k.Host = srv.URL, srv.Host
	return k, nil
}

// ServeHTTP authenticates the request and answers the few read-only paths
// kubectl needs.
func (k *Cluster) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := k.authenticate(r); err != nil {
		k.cloud.Hit("kube-" + k.Name + "-401")
		writeKubeJSON(w, http.StatusUnauthorized, kubeStatus(http.StatusUnauthorized, "Unauthorized", "Unauthorized"))
		return
	}
	if r.Method != http.MethodGet {
		writeKubeJSON(w, http.StatusMethodNotAllowed, kubeStatus(http.StatusMethodNotAllowed, "MethodNotAllowed", "the server does not allow this method on the requested resource"))
		return
	}
	switch strings.TrimSuffix(r.URL.Path, "/") {
	case "/version":
		writeKubeJSON(w, http.StatusOK, map[string]any{
			"major": "1", "minor": "30", "gitVersion": "v1.30.0-fakecloud",
			"gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
			"buildDate": "2024-01-01T00:00:00Z", "goVersion": "go1.22.0", "compiler": "gc",
			"platform": "linux/amd64",
		})
	case "/api":
		writeKubeJSON(w, http.StatusOK, map[string]any{
			"kind": "APIVersions", "versions": []string{"v1"},
			"serverAddressByClientCIDRs": []map[string]string{{"clientCIDR": "0.0.0.0/0", "serverAddress": k.Host}},
		})
	case "/apis":
		writeKubeJSON(w, http.StatusOK, map[string]any{"kind": "APIGroupList", "apiVersion": "v1", "groups": []any{}})
	case "/api/v1":
		writeKubeJSON(w, http.StatusOK, map[string]any{
			"kind": "APIResourceList", "groupVersion": "v1",
			"resources": []map[string]any{{
				"name": "namespaces", "singularName": "namespace", "namespaced": false,
				"kind": "Namespace", "verbs": []string{"get", "list"}, "shortNames": []string{"ns"},
			}},
		})
	case "/api/v1/namespaces":
		writeKubeJSON(w, http.StatusOK, k.namespaces())
	default:
		writeKubeJSON(w, http.StatusNotFound, kubeStatus(http.StatusNotFound, "NotFound", "the server could not find the requested resource"))
	}
}

// authenticate accepts only a Bearer token for the cluster's server app
// (and, when Tenant is set, from that tenant).
func (k *Cluster) authenticate(r *http.Request) error {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return errors.New("no bearer token")
	}
	claims, err := k.cloud.Verify(strings.TrimSpace(token), k.ServerID)
	if err != nil {
		return err
	}
	if k.Tenant != "" && claims.Tenant != k.Tenant {
		return errors.New("token is for another tenant")
	}
	return nil
}

// namespaces is the NamespaceList of the fake cluster: default, kube-system
// and one named after the cluster.
func (k *Cluster) namespaces() map[string]any {
	names := []string{"default", "kube-system", k.Name}
	items := make([]map[string]any, 0, len(names))
	for i, n := range names {
		items = append(items, map[string]any{
			"metadata": map[string]any{
				"name":              n,
				"uid":               fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1),
				"resourceVersion":   fmt.Sprint(i + 1),
				"creationTimestamp": k.created.Format(time.RFC3339),
				"labels":            map[string]string{"kubernetes.io/metadata.name": n},
			},
			"spec":   map[string]any{"finalizers": []string{"kubernetes"}},
			"status": map[string]any{"phase": "Active"},
		})
	}
	return map[string]any{
		"kind": "NamespaceList", "apiVersion": "v1",
		"metadata": map[string]any{"resourceVersion": fmt.Sprint(len(names))},
		"items":    items,
	}
}

// kubeStatus is the metav1.Status body the API server sends with errors.
func kubeStatus(code int, reason, message string) map[string]any {
	return map[string]any{
		"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{},
		"status": "Failure", "message": message, "reason": reason, "code": code,
	}
}

func writeKubeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client hung up
}
