package helper

// AKS without az: listing a subscription's clusters and fetching a cluster's kubeconfig
// through Resource Manager, then writing it with azcred's exec plugin where kubelogin was.
// The kubeconfig editing lives in install/kubemerge.go, the get-credentials flow in
// package aks; this file decides which context,
// subscription and cluster, turns AKS's errors into ones that say what to do, and binds
// the cluster to the context when that context is not the default (so kubectl picks it
// with no further step).
// https://learn.microsoft.com/rest/api/aks/managed-clusters

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/azcred/azcred/store"
)

// aksAPIVersion is a GA api-version of Microsoft.ContainerService.
const aksAPIVersion = "2024-09-01"

// ClusterUserRole is the built-in role that allows listClusterUserCredential.
const ClusterUserRole = "Azure Kubernetes Service Cluster User Role"

// ManagedCluster is an AKS cluster as `azcred aks list` shows it.
type ManagedCluster struct {
	Name              string `json:"name"`
	ResourceGroup     string `json:"resourceGroup"`
	Location          string `json:"location"`
	KubernetesVersion string `json:"kubernetesVersion"`
	FQDN              string `json:"fqdn"`
	// Entra is "managed" (AKS-managed Entra ID), "legacy" (the older AAD integration with
	// your own server app) or "none" (static credentials only).
	Entra                 string `json:"entraIntegration"`
	LocalAccountsDisabled bool   `json:"localAccountsDisabled"`
	Subscription          string `json:"subscriptionId"`
	ID                    string `json:"id"`
}

type armManagedCluster struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Location   string `json:"location"`
	Properties struct {
		KubernetesVersion        string `json:"kubernetesVersion"`
		CurrentKubernetesVersion string `json:"currentKubernetesVersion"`
		FQDN                     string `json:"fqdn"`
		PrivateFQDN              string `json:"privateFQDN"`
		DisableLocalAccounts     bool   `json:"disableLocalAccounts"`
		AADProfile               *struct {
			Managed bool `json:"managed"`
		} `json:"aadProfile"`
	} `json:"properties"`
}

func (m *armManagedCluster) cluster(subscription string) ManagedCluster {
	p := m.Properties
	entra := "none"
	if p.AADProfile != nil {
		entra = "legacy"
		if p.AADProfile.Managed {
			entra = "managed"
		}
	}
	return ManagedCluster{
		Name: m.Name, ResourceGroup: resourceGroupOf(m.ID), Location: m.Location,
		KubernetesVersion: cmp.Or(p.CurrentKubernetesVersion, p.KubernetesVersion),
		FQDN:              cmp.Or(p.FQDN, p.PrivateFQDN), Entra: entra,
		LocalAccountsDisabled: p.DisableLocalAccounts, Subscription: subscription, ID: m.ID,
	}
}

// resourceGroupOf reads the resource group from an ARM resource id.
func resourceGroupOf(id string) string {
	parts := strings.Split(id, "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "resourceGroups") {
			return parts[i+1]
		}
	}
	return ""
}

// ListManagedClusters lists the AKS clusters of a subscription, following nextLink,
// sorted by resource group and name.
func (e *Engine) ListManagedClusters(ctx context.Context, env *store.Environment, token, subscription string) ([]ManagedCluster, error) {
	path := "/subscriptions/" + url.PathEscape(subscription) + "/providers/Microsoft.ContainerService/managedClusters?api-version=" + aksAPIVersion
	var out []ManagedCluster
	for pages := 0; path != "" && pages < 100; pages++ {
		var page struct {
			Value    []armManagedCluster `json:"value"`
			NextLink string              `json:"nextLink"`
		}
		if err := e.armGet(ctx, env, token, path, &page); err != nil {
			return nil, err
		}
		for i := range page.Value {
			out = append(out, page.Value[i].cluster(subscription))
		}
		path = page.NextLink
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !strings.EqualFold(a.ResourceGroup, b.ResourceGroup) {
			return strings.ToLower(a.ResourceGroup) < strings.ToLower(b.ResourceGroup)
		}
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	})
	return out, nil
}

// ClusterRef names a cluster.
type ClusterRef struct {
	Subscription, ResourceGroup, Name string
}

func (c ClusterRef) String() string {
	return fmt.Sprintf("cluster %q in resource group %q of subscription %s", c.Name, c.ResourceGroup, c.Subscription)
}

// ClusterKubeconfig calls listClusterUserCredential (or, with admin,
// listClusterAdminCredential) and returns the decoded kubeconfig.
func (e *Engine) ClusterKubeconfig(ctx context.Context, env *store.Environment, token string, c ClusterRef, admin, publicFQDN bool) ([]byte, error) {
	action := "listClusterUserCredential"
	if admin {
		action = "listClusterAdminCredential"
	}
	path := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ContainerService/managedClusters/%s/%s?api-version=%s",
		url.PathEscape(c.Subscription), url.PathEscape(c.ResourceGroup), url.PathEscape(c.Name), action, aksAPIVersion)
	if publicFQDN {
		path += "&server-fqdn=public"
	}
	var res struct {
		Kubeconfigs []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"kubeconfigs"`
	}
	if err := e.armDo(ctx, env, token, http.MethodPost, path, &res); err != nil {
		return nil, explainAKS(err, c, action, admin)
	}
	if len(res.Kubeconfigs) == 0 {
		return nil, fmt.Errorf("%s: AKS returned no kubeconfig", c)
	}
	b, err := base64.StdEncoding.DecodeString(res.Kubeconfigs[0].Value)
	if err != nil {
		return nil, fmt.Errorf("%s: the kubeconfig AKS returned is not base64", c)
	}
	return b, nil
}

// explainAKS turns ARM's answers to a credential action into what to do.
func explainAKS(err error, c ClusterRef, action string, admin bool) error {
	var ae *ARMError
	if !errors.As(err, &ae) {
		return err
	}
	switch {
	case ae.Code == "ResourceNotFound" || ae.Code == "ResourceGroupNotFound" || ae.Code == "SubscriptionNotFound" || ae.Status == http.StatusNotFound:
		return WithHint(fmt.Errorf("%s not found (%s: %s)", c, ae.Code, ae.Message),
			"run 'azcred aks list --subscription %s' to see the clusters", c.Subscription)
	case ae.Status == http.StatusForbidden:
		role := ClusterUserRole
		if admin {
			role = "Azure Kubernetes Service Cluster Admin Role"
		}
		return WithHint(fmt.Errorf("not allowed to %s of %s (%s)", action, c, cmp.Or(ae.Code, "HTTP 403")),
			"ask for the %q on the cluster, or use another context with --azcred-context", role)
	case ae.Status >= 500 || ae.Status == http.StatusTooManyRequests:
		return WithHint(fmt.Errorf("%s: %w", c, err), "Resource Manager is failing or busy; try again later")
	case admin && ae.Status == http.StatusBadRequest:
		return WithHint(fmt.Errorf("%s refuses admin credentials: %s", c, ae.Message),
			"drop --admin: the cluster takes Entra ID sign-ins only, which is what azcred gives kubectl")
	}
	return fmt.Errorf("%s: %w", c, err)
}

// ARMSession is a context resolved for Resource Manager, with its token.
type ARMSession struct {
	Resolved *Resolved
	Token    string
	// Subscription is the subscription id to work in.
	Subscription string
}

// OpenARM resolves the context for a Resource Manager call and gets its token. With no
// context name, a subscription (id or name) that a saved context is for picks that context,
// as az's --subscription picks the account saved with it; otherwise the usual resolution
// applies and subscription only overrides the context's.
func (e *Engine) OpenARM(ctx context.Context, l *Loaded, contextName, subscription string) (*ARMSession, error) {
	p := e.Profile
	if contextName == "" && subscription != "" && p.getenv("AZCRED_CONTEXT") == "" {
		contextName = contextForSubscription(l, subscription)
	}
	r, err := p.Resolve(l, Request{Context: contextName,
		DefaultScope: func(env *store.Environment) string { return ScopeFor(env.ManagementResource) }})
	if err != nil {
		return nil, err
	}
	e.Debugf("context %q (%s), scope %s, tenant %s", r.Context.Name, r.Source, r.Scope, r.Tenant)
	tok, err := e.Token(ctx, r)
	if err != nil {
		return nil, err
	}
	s := &ARMSession{Resolved: r, Token: tok.AccessToken, Subscription: r.Context.Subscription.ID}
	if subscription != "" && !strings.EqualFold(subscription, r.Context.Subscription.ID) && !strings.EqualFold(subscription, r.Context.Subscription.Name) {
		return e.subscriptionInTenants(ctx, s, subscription)
	}
	if s.Subscription == "" {
		return nil, WithHint(fmt.Errorf("context %q has no subscription", r.Context.Name), "pass --subscription S, or run 'azcred context set --subscription S'")
	}
	return s, nil
}

// subscriptionInTenants looks for a subscription (id or name) in every tenant of the session's
// account, its own first, and returns a session for the tenant that has it: a guest's
// subscription in another tenant needs that tenant's token.
func (e *Engine) subscriptionInTenants(ctx context.Context, s *ARMSession, want string) (*ARMSession, error) {
	var found *ARMSession
	_, err := e.eachTenant(ctx, s, func(ts *ARMSession) (bool, error) {
		subs, err := e.ListSubscriptions(ctx, ts.Resolved.Env, ts.Token)
		if err != nil {
			return false, err
		}
		if sub := PickSubscription(subs, want); sub != nil {
			ts.Subscription = sub.ID
			found = ts
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, WithHint(fmt.Errorf("subscription %q is not visible to context %q in any of its tenants", want, s.Resolved.Context.Name),
			"run 'azcred subscription list' to see the subscriptions, or choose the context with --azcred-context")
	}
	return found, nil
}

// eachTenant calls f with a session for each tenant the account belongs to (Resource
// Manager's /tenants), the session's own tenant first, until f says stop. A tenant whose
// token cannot be had silently is skipped; skipped says which and why.
func (e *Engine) eachTenant(ctx context.Context, s *ARMSession, f func(*ARMSession) (stop bool, err error)) (skipped []string, err error) {
	r := s.Resolved
	if stop, err := f(&ARMSession{Resolved: r, Token: s.Token}); stop || err != nil {
		return nil, err
	}
	tenants, err := e.ListTenants(ctx, r.Env, s.Token)
	if err != nil {
		e.Debugf("listing tenants: %v", err)
		return nil, nil
	}
	for _, t := range tenants {
		if strings.EqualFold(t.ID, r.Tenant) {
			continue
		}
		rt := *r
		rt.Tenant = t.ID
		tok, err := e.Token(ctx, &rt)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("tenant %s: %s", t.ID, FirstLine(err.Error())))
			continue
		}
		if stop, err := f(&ARMSession{Resolved: &rt, Token: tok.AccessToken}); stop || err != nil {
			return skipped, err
		}
	}
	return skipped, nil
}

// contextForSubscription is the saved context for a subscription id or name: the default
// context when it is one, else the first by name ("" when none).
func contextForSubscription(l *Loaded, sub string) string {
	match := func(c *store.Context) bool {
		return c.Subscription.ID != "" && (strings.EqualFold(c.Subscription.ID, sub) || strings.EqualFold(c.Subscription.Name, sub))
	}
	var found []string
	for _, cfg := range []*store.Config{l.Session, l.User} {
		if cfg == nil {
			continue
		}
		for _, n := range cfg.ContextNames() {
			if match(cfg.Contexts[n]) {
				if n == l.Default() {
					return n
				}
				found = append(found, n)
			}
		}
	}
	if len(found) == 0 {
		return ""
	}
	return found[0]
}

// ListClusters lists the clusters of the session's subscription or, with all, of every
// enabled subscription in every tenant the account belongs to (each tenant with its own
// token, as az does after az login). A tenant that cannot be listed silently is skipped;
// skipped says which and why.
func (e *Engine) ListClusters(ctx context.Context, s *ARMSession, all bool) (clusters []ManagedCluster, skipped []string, err error) {
	r := s.Resolved
	if !all {
		clusters, err = e.ListManagedClusters(ctx, r.Env, s.Token, s.Subscription)
		return clusters, nil, err
	}
	skipped, err = e.eachTenant(ctx, s, func(ts *ARMSession) (bool, error) {
		subs, err := e.ListSubscriptions(ctx, r.Env, ts.Token)
		if err != nil {
			return false, err
		}
		for _, sub := range subs {
			if !strings.EqualFold(sub.State, "Enabled") {
				continue
			}
			cs, err := e.ListManagedClusters(ctx, r.Env, ts.Token, sub.ID)
			if err != nil {
				return false, fmt.Errorf("listing the AKS clusters of subscription %s: %w", sub.ID, err)
			}
			clusters = append(clusters, cs...)
		}
		return false, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return clusters, skipped, nil
}

// BindCluster makes kubectl's calls for server resolve to the session's context: when that
// context is not the default (or a binding sends server elsewhere), it binds server to it in
// the store that holds the context. It returns the binding it saved, or "" when none was
// needed.
func (e *Engine) BindCluster(l *Loaded, s *ARMSession, server string) (string, error) {
	r := s.Resolved
	if r.Implicit != nil {
		return "", nil
	}
	target, err := store.NormalizeTarget(server)
	if err != nil {
		return "", err
	}
	b := l.MatchBinding(target)
	switch {
	case b != nil && b.Context == r.Context.Name:
		return "", nil
	case b == nil && r.Context.Name == l.Default():
		return "", nil
	}
	err = r.Store.Update(func(cfg *store.Config) error {
		return cfg.SetBinding(store.Binding{Target: target, Context: r.Context.Name})
	})
	if err != nil {
		return "", err
	}
	return target, nil
}
