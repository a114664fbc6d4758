package fakecloud

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Seed is a directory to load into a cloud, as JSON (the standalone process's -seed file).
// New services add their own fields here and apply them in Apply.
type Seed struct {
	Tenants           []Tenant       `json:"tenants,omitempty"`
	Users             []User         `json:"users,omitempty"`
	InteractiveUser   string         `json:"interactive_user,omitempty"`
	ServicePrincipals []SeedSP       `json:"service_principals,omitempty"`
	ManagedIdentities []MI           `json:"managed_identities,omitempty"`
	Subscriptions     []Subscription `json:"subscriptions,omitempty"`
	Registries        []Registry     `json:"registries,omitempty"`
	// TokenLifetime is a Go duration ("2m"); empty keeps the current lifetime.
	TokenLifetime string `json:"token_lifetime,omitempty"`
	// DeviceCodePending: see SetDeviceCodeApproval; nil keeps the default.
	DeviceCodePending *int `json:"device_code_pending,omitempty"`
}

// SeedSP is a service principal in a seed. Files are paths, relative to the seed file's
// directory when the seed was read with ReadSeed.
type SeedSP struct {
	Tenant    string `json:"tenant"`
	ClientID  string `json:"client_id"`
	Secret    string `json:"secret,omitempty"`
	Federated bool   `json:"federated,omitempty"`
	// CertFile is a PEM certificate to register.
	CertFile string `json:"cert_file,omitempty"`
	// NewCertFile: generate a certificate, register it and write certificate and key (one PEM
	// file, as azcred login --certificate takes it) to this path.
	NewCertFile string `json:"new_cert_file,omitempty"`
	// FederatedTokenFile: write a FederatedToken for this app to this path.
	FederatedTokenFile string `json:"federated_token_file,omitempty"`
}

// ReadSeed reads a JSON seed and makes its file paths absolute.
func ReadSeed(path string) (Seed, error) {
	var s Seed
	b, err := os.ReadFile(path)
	if err != nil {
		return s, fmt.Errorf("fakecloud: seed: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("fakecloud: seed %s: %w", path, err)
	}
	base := filepath.Dir(path)
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(base, *p)
		}
	}
	for i := range s.ServicePrincipals {
		sp := &s.ServicePrincipals[i]
		abs(&sp.CertFile)
		abs(&sp.NewCertFile)
		abs(&sp.FederatedTokenFile)
	}
	return s, nil
}

// Apply loads a seed into the cloud. Tenants come first so that display names stick.
func (c *Cloud) Apply(s Seed) error {
	if s.TokenLifetime != "" {
		d, err := time.ParseDuration(s.TokenLifetime)
		if err != nil {
			return fmt.Errorf("fakecloud: seed token_lifetime: %w", err)
		}
		c.SetTokenLifetime(d)
	}
	if s.DeviceCodePending != nil {
		c.SetDeviceCodeApproval(*s.DeviceCodePending)
	}
	for _, t := range s.Tenants {
		c.AddTenant(t.ID, t.DisplayName)
	}
	for _, u := range s.Users {
		c.AddUser(u)
	}
	if s.InteractiveUser != "" {
		c.SetInteractiveUser(s.InteractiveUser)
	}
	for _, sp := range s.ServicePrincipals {
		if err := c.applySP(sp); err != nil {
			return err
		}
	}
	for _, mi := range s.ManagedIdentities {
		c.AddManagedIdentity(mi)
	}
	for _, sub := range s.Subscriptions {
		c.AddSubscription(sub)
	}
	for _, r := range s.Registries {
		c.AddRegistry(r.SubscriptionID, r.Name, r.LoginServer)
	}
	return nil
}

func (c *Cloud) applySP(s SeedSP) error {
	sp := SP{Tenant: s.Tenant, ClientID: s.ClientID, Secret: s.Secret, Federated: s.Federated}
	switch {
	case s.CertFile != "":
		pem, err := os.ReadFile(s.CertFile)
		if err != nil {
			return fmt.Errorf("fakecloud: seed: %w", err)
		}
		sp.CertPEM = pem
	case s.NewCertFile != "":
		certPEM, keyPEM, err := c.NewCertificate("fakecloud " + s.ClientID)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(s.NewCertFile, append(certPEM, keyPEM...), 0o600); err != nil {
			return err
		}
		sp.CertPEM = certPEM
	}
	if _, err := c.AddServicePrincipal(sp); err != nil {
		return err
	}
	if s.FederatedTokenFile != "" {
		if err := writeFileAtomic(s.FederatedTokenFile, []byte(c.FederatedToken(s.ClientID)), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// Info describes a running cloud for scripts (the standalone process's -info file).
type Info struct {
	Authority string `json:"authority"`
	ARM       string `json:"arm"`
	MSI       string `json:"msi"`
	MSIHeader string `json:"msi_header"`
	CAFile    string `json:"ca_file"`
	Dir       string `json:"dir"`
	// Tenant, User, ClientID and Subscription are the first of each in the directory, for
	// scripts that seed one of each.
	Tenant       string `json:"tenant,omitempty"`
	User         string `json:"user,omitempty"`
	ClientID     string `json:"client_id,omitempty"`
	Subscription string `json:"subscription,omitempty"`
	// Services maps the names given to Serve (git, kube, acr...) to their base URLs.
	Services map[string]string `json:"services"`
	// Env is what a client process needs: SSL_CERT_FILE and the managed identity variables.
	Env []string `json:"env"`
	PID int      `json:"pid"`
}

// Info describes the cloud as it is now.
func (c *Cloud) Info() Info {
	in := Info{
		Authority: c.AuthorityURL, ARM: c.ARMURL, MSI: c.MSIURL, MSIHeader: c.MSIHeader,
		CAFile: c.CAFile, Dir: c.dir, Services: c.Servers(),
		Env: append([]string{"SSL_CERT_FILE=" + c.CAFile}, c.MSIEnv()...),
		PID: os.Getpid(),
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d := &c.dirState
	if len(d.tenantOrder) > 0 {
		in.Tenant = d.tenants[d.tenantOrder[0]].ID
	}
	in.User = d.interactive
	if in.User == "" {
		for _, u := range d.users {
			in.User = u.UPN
			break
		}
	}
	for _, sp := range d.sps {
		if in.ClientID == "" || sp.ClientID < in.ClientID {
			in.ClientID = sp.ClientID // smallest, so that the choice is stable
		}
	}
	if len(d.subs) > 0 {
		in.Subscription = d.subs[0].ID
	}
	return in
}

// WriteInfo writes Info as JSON to path atomically, so a script polling for the file never
// reads half of it.
func (c *Cloud) WriteInfo(path string) error {
	b, err := json.MarshalIndent(c.Info(), "", "  ")
	if err != nil {
		return fmt.Errorf("fakecloud: info: %w", err)
	}
	return writeFileAtomic(path, append(b, '\n'), 0o644)
}

func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fakecloud-*")
	if err != nil {
		return fmt.Errorf("fakecloud: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("fakecloud: write %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("fakecloud: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("fakecloud: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("fakecloud: write %s: %w", path, err)
	}
	return nil
}
