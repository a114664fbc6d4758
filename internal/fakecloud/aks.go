package fakecloud

// The Resource Manager side of AKS: managedClusters list and get, and the two credential
// actions, shaped like Microsoft.ContainerService's answers (api-version 2024-09-01):
//   - listClusterUserCredential of a cluster with Entra integration returns a kubeconfig
//     whose user runs `kubelogin get-token --login devicecode` (what AKS sends since
//     Kubernetes 1.24), with the cluster's CA inline as certificate-authority-data;
//   - listClusterAdminCredential returns a static client certificate user, or BadRequest
//     when the cluster disables local accounts;
//   - a cluster without Entra integration gets static credentials from both actions;
//   - a missing resource group or cluster is ResourceGroupNotFound / ResourceNotFound, and a
//     principal in ManagedCluster.Deny gets AuthorizationFailed (403), as ARM words them.
// https://learn.microsoft.com/rest/api/aks/managed-clusters

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// aksKubeloginClientID is the Azure Kubernetes Service AAD client that AKS puts in the
// kubelogin exec block.
const aksKubeloginClientID = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"

// ManagedCluster is an AKS cluster in Resource Manager. Server is the API server URL the
// kubeconfig names; CAData its base64 PEM CA.
type ManagedCluster struct {
	SubscriptionID    string
	ResourceGroup     string
	Name              string
	Location          string
	KubernetesVersion string
	Server            string
	CAData            string
	// Entra is AKS-managed Entra ID integration; ServerID the audience (AKSServerID when
	// empty); Tenant the tenant of the kubelogin block (the subscription's when empty).
	Entra    bool
	ServerID string
	Tenant   string
	// DisableLocalAccounts refuses listClusterAdminCredential.
	DisableLocalAccounts bool
	// Deny lists principals (UPN, client id or object id) that get AuthorizationFailed on
	// the credential actions, as without the Cluster User role.
	Deny []string
}

// AddManagedCluster adds a cluster to Resource Manager.
func (c *Cloud) AddManagedCluster(mc ManagedCluster) {
	if mc.Location == "" {
		mc.Location = "westeurope"
	}
	if mc.KubernetesVersion == "" {
		mc.KubernetesVersion = "1.30.0"
	}
	if mc.Entra && mc.ServerID == "" {
		mc.ServerID = AKSServerID
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dirState.clusters = append(c.dirState.clusters, mc)
}

// ManagedClusterFor describes a running fake API server as a cluster with Entra integration.
func (k *Cluster) ManagedClusterFor(subscriptionID, resourceGroup string) ManagedCluster {
	return ManagedCluster{SubscriptionID: subscriptionID, ResourceGroup: resourceGroup, Name: k.Name,
		Server: k.URL, CAData: k.CAData, Entra: true, ServerID: k.ServerID, Tenant: k.Tenant, DisableLocalAccounts: true}
}

const managedClustersPath = "/providers/Microsoft.ContainerService/managedClusters"

func (c *Cloud) aksRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /subscriptions/{sub}"+managedClustersPath, c.armAuth(c.listManagedClusters))
	mux.HandleFunc("GET /subscriptions/{sub}/resourceGroups/{rg}"+managedClustersPath, c.armAuth(c.listManagedClusters))
	mux.HandleFunc("GET /subscriptions/{sub}/resourceGroups/{rg}"+managedClustersPath+"/{name}", c.armAuth(c.getManagedCluster))
	mux.HandleFunc("POST /subscriptions/{sub}/resourceGroups/{rg}"+managedClustersPath+"/{name}/{action}", c.armAuth(c.clusterCredential))
}

func (mc *ManagedCluster) id() string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s%s/%s", mc.SubscriptionID, mc.ResourceGroup, managedClustersPath, mc.Name)
}

func (mc *ManagedCluster) fqdn() string {
	if u, err := url.Parse(mc.Server); err == nil {
		return u.Hostname()
	}
	return mc.Server
}

func (mc *ManagedCluster) json() map[string]any {
	props := map[string]any{
		"provisioningState":        "Succeeded",
		"powerState":               map[string]string{"code": "Running"},
		"kubernetesVersion":        mc.KubernetesVersion,
		"currentKubernetesVersion": mc.KubernetesVersion,
		"dnsPrefix":                mc.Name + "-dns",
		"fqdn":                     mc.fqdn(),
		"azurePortalFQDN":          mc.Name + "-portal.hcp." + mc.Location + ".azmk8s.invalid",
		"enableRBAC":               true,
		"disableLocalAccounts":     mc.DisableLocalAccounts,
		"nodeResourceGroup":        "MC_" + mc.ResourceGroup + "_" + mc.Name + "_" + mc.Location,
	}
	if mc.Entra {
		props["aadProfile"] = map[string]any{"managed": true, "enableAzureRBAC": true, "tenantID": mc.Tenant}
	}
	return map[string]any{
		"id": mc.id(), "name": mc.Name, "type": "Microsoft.ContainerService/ManagedClusters",
		"location": mc.Location, "sku": map[string]string{"name": "Base", "tier": "Free"},
		"properties": props,
	}
}

// clustersIn lists the clusters of a subscription the token's tenant can see (and of rg, when
// set), or reports why not.
func (c *Cloud) clustersIn(w http.ResponseWriter, r *http.Request, cl *Claims) ([]ManagedCluster, bool) {
	sub, ok := c.findSubscription(r.PathValue("sub"), cl.Tenant)
	if !ok {
		armError(w, http.StatusNotFound, "SubscriptionNotFound", fmt.Sprintf("The subscription '%s' could not be found.", r.PathValue("sub")))
		return nil, false
	}
	rg := r.PathValue("rg")
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []ManagedCluster
	rgKnown := rg == "" || strings.EqualFold(rg, registryResourceGroup)
	for _, mc := range c.dirState.clusters {
		if !strings.EqualFold(mc.SubscriptionID, sub.ID) {
			continue
		}
		if rg != "" && !strings.EqualFold(mc.ResourceGroup, rg) {
			continue
		}
		rgKnown = true
		if mc.Tenant == "" {
			mc.Tenant = sub.Tenant
		}
		out = append(out, mc)
	}
	if !rgKnown {
		armError(w, http.StatusNotFound, "ResourceGroupNotFound", fmt.Sprintf("Resource group '%s' could not be found.", rg))
		return nil, false
	}
	return out, true
}

func (c *Cloud) listManagedClusters(w http.ResponseWriter, r *http.Request, cl *Claims) {
	clusters, ok := c.clustersIn(w, r, cl)
	if !ok {
		return
	}
	value := []map[string]any{}
	for i := range clusters {
		value = append(value, clusters[i].json())
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": value})
}

// cluster finds the path's cluster or writes ARM's ResourceNotFound.
func (c *Cloud) cluster(w http.ResponseWriter, r *http.Request, cl *Claims) (*ManagedCluster, bool) {
	clusters, ok := c.clustersIn(w, r, cl)
	if !ok {
		return nil, false
	}
	for i := range clusters {
		if strings.EqualFold(clusters[i].Name, r.PathValue("name")) {
			return &clusters[i], true
		}
	}
	armError(w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf(
		"The Resource 'Microsoft.ContainerService/managedClusters/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
		r.PathValue("name"), r.PathValue("rg")))
	return nil, false
}

func (c *Cloud) getManagedCluster(w http.ResponseWriter, r *http.Request, cl *Claims) {
	if mc, ok := c.cluster(w, r, cl); ok {
		writeJSON(w, http.StatusOK, mc.json())
	}
}

func (c *Cloud) clusterCredential(w http.ResponseWriter, r *http.Request, cl *Claims) {
	action := r.PathValue("action")
	admin := action == "listClusterAdminCredential"
	if !admin && action != "listClusterUserCredential" {
		armError(w, http.StatusNotFound, "InvalidResourceType", fmt.Sprintf("The resource type could not be found for %s %s.", r.Method, r.URL.Path))
		return
	}
	mc, ok := c.cluster(w, r, cl)
	if !ok {
		return
	}
	for _, d := range mc.Deny {
		if strings.EqualFold(d, cl.UPN) || strings.EqualFold(d, cl.AppID) || strings.EqualFold(d, cl.ObjectID) {
			who := cl.AppID
			if cl.UPN != "" {
				who = cl.UPN
			}
			armError(w, http.StatusForbidden, "AuthorizationFailed", fmt.Sprintf(
				"The client '%s' with object id '%s' does not have authorization to perform action 'Microsoft.ContainerService/managedClusters/%s/action' over scope '%s' or the scope is invalid. If access was recently granted, please refresh your credentials.",
				who, cl.ObjectID, action, mc.id()))
			return
		}
	}
	if admin && mc.DisableLocalAccounts {
		armError(w, http.StatusBadRequest, "BadRequest", "Getting static credential is not allowed because this cluster is set to disable local accounts.")
		return
	}
	name, kubeconfig := "clusterUser", mc.kubeconfig(admin)
	if admin {
		name = "clusterAdmin"
	}
	writeJSON(w, http.StatusOK, map[string]any{"kubeconfigs": []map[string]string{
		{"name": name, "value": base64.StdEncoding.EncodeToString([]byte(kubeconfig))},
	}})
}

// kubeconfig is what AKS returns: kubelogin for Entra user credentials, a static client
// certificate (obviously fake) otherwise.
func (mc *ManagedCluster) kubeconfig(admin bool) string {
	user := "clusterUser_" + mc.ResourceGroup + "_" + mc.Name
	var auth string
	if admin || !mc.Entra {
		if admin {
			user = "clusterAdmin_" + mc.ResourceGroup + "_" + mc.Name
		}
		auth = `    client-certificate-data: RkFLRS1DTElFTlQtQ0VSVElGSUNBVEU=
    client-key-data: RkFLRS1DTElFTlQtS0VZ
    token: fake-static-cluster-token-0000000000000000
`
	} else {
		auth = fmt.Sprintf(`    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - %s
      - --client-id
      - %s
      - --tenant-id
      - %s
      - --login
      - devicecode
      command: kubelogin
      env: null
      installHint: |2

        kubelogin is not installed which is required to connect to AAD enabled cluster.

        To learn more, please go to https://aka.ms/aks/kubelogin
      interactiveMode: IfAvailable
      provideClusterInfo: false
`, mc.ServerID, aksKubeloginClientID, mc.Tenant)
	}
	return fmt.Sprintf(`apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: %s
    server: %s
  name: %s
contexts:
- context:
    cluster: %s
    user: %s
  name: %s
current-context: %s
kind: Config
preferences: {}
users:
- name: %s
  user:
%s`, mc.CAData, mc.Server, mc.Name, mc.Name, user, mc.Name, mc.Name, user, auth)
}
