package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/azcred/azcred/internal/fakecloud"
)

// The demo's directory. Every id is obviously fake; the secret is random per run so that a
// leak check can only match this run's value.
const (
	demoTenant  = "de000000-0000-4000-8000-0000000000de"
	demoClient  = "de000000-0000-4000-8000-00000000c11e"
	demoSub     = "de000000-0000-4000-8000-00000000500b"
	demoSubName = "Demo Subscription"
	demoContext = "demo"
	demoOrg     = "demo"
	demoImage   = "hello"
	demoTag     = "v1"
)

// world is the seeded fake cloud and the addresses the steps use.
type world struct {
	cloud   *fakecloud.Cloud
	secret  string // the service principal's client secret; only ever written to a pipe
	devops  *fakecloud.DevOps
	repoURL string
	cluster *fakecloud.Cluster
	acr     *fakecloud.ACR
}

// startWorld starts the fake cloud with its scratch files in dir and seeds one tenant, a
// service principal, a subscription, an Azure DevOps repo, an AKS cluster and an ACR.
func startWorld(dir string) (w *world, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	c, err := fakecloud.Start(fakecloud.Options{Dir: dir})
	if err != nil {
		return nil, fmt.Errorf("demo: start the fake cloud: %w", err)
	}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	w = &world{cloud: c}
	if w.secret, err = fakeSecret(); err != nil {
		return nil, err
	}
	c.AddTenant(demoTenant, "Demo Tenant")
	if _, err := c.AddServicePrincipal(fakecloud.SP{Tenant: demoTenant, ClientID: demoClient, Secret: w.secret}); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	c.AddSubscription(fakecloud.Subscription{ID: demoSub, Name: demoSubName, Tenant: demoTenant})

	if w.devops, err = c.StartDevOps(); err != nil {
		return nil, fmt.Errorf("demo: %w (is git installed?)", err)
	}
	if w.repoURL, err = w.devops.AddRepo(demoOrg, "proj", "hello", demoTenant); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if w.cluster, err = c.StartCluster("demo", ""); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if w.acr, err = c.StartACR("demo"); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if _, err := w.acr.Seed(demoImage, demoTag); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	c.AddRegistry(demoSub, "demo", w.acr.Host)
	return w, nil
}

// fakeSecret makes a client secret that says what it is.
func fakeSecret() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	return "fake-demo-secret-" + hex.EncodeToString(b), nil
}
