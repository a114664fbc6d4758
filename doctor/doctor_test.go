package doctor

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/install"
	"github.com/azcred/azcred/store"
)

// doctorEnv is a store directory, HOME and DOCKER_CONFIG under t.TempDir,
// with the file keyring backend.
func doctorEnv(t *testing.T) (map[string]string, func(string) string) {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{
		"AZCRED_CONFIG_DIR":      filepath.Join(dir, "config"),
		"AZCRED_KEYRING_BACKEND": "file",
		"HOME":                   filepath.Join(dir, "home"),
		"DOCKER_CONFIG":          filepath.Join(dir, "home", ".docker"),
	}
	return env, func(k string) string { return env[k] }
}

// onPath is a LookPath that finds only the given names.
func onPath(names ...string) func(string) (string, error) {
	return func(n string) (string, error) {
		for _, m := range names {
			if n == m {
				return "/fake/bin/" + n, nil
			}
		}
		return "", errors.New("not found")
	}
}

func diagnose(t *testing.T, getenv func(string) string, o Options) *Report {
	t.Helper()
	o.Getenv = getenv
	if o.LookPath == nil {
		o.LookPath = onPath() // no git: the git check reports and moves on
	}
	return Diagnose(context.Background(), o)
}

func findings(r *Report, status string) string {
	var b strings.Builder
	for _, f := range r.Findings {
		if f.Status == status {
			b.WriteString(f.Area + ": " + f.Message + " => " + f.Fix + "\n")
		}
	}
	return b.String()
}

func saveContext(t *testing.T, getenv func(string) string, c *store.Context, secrets func(*store.Secrets)) {
	t.Helper()
	p, err := helper.OpenProfile(getenv)
	if err != nil {
		t.Fatal(err)
	}
	err = p.User.UpdateAll(func(cfg *store.Config, sec *store.Secrets) error {
		cfg.SetContext(c)
		cfg.Default = c.Name
		if secrets != nil {
			secrets(sec)
		}
		return nil
	}, true)
	if err != nil {
		t.Fatal(err)
	}
}

func TestDoctorContexts(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	sp := &store.Context{Name: "sp", Tenant: "fake-tenant", Environment: "AzureCloud",
		Account: store.Account{ID: "fake-client", Type: store.AccountServicePrincipal, Credential: store.CredentialSecret}}
	tests := []struct {
		name        string
		ctx         *store.Context
		secrets     func(*store.Secrets)
		wantHealthy bool
		wantSignIn  string
		wantProblem string
		wantTokens  int
	}{
		{
			name: "secret stored, one fresh and one expired token",
			ctx:  sp,
			secrets: func(s *store.Secrets) {
				s.Credentials[sp.AccountKey()] = store.Credential{Secret: "fake-secret-not-real"}
				s.Tokens[sp.AccountKey()+"|fake-tenant|a/.default"] = store.Token{AccessToken: "fake-token-a", Scope: "a/.default", ExpiresOn: now.Add(time.Hour)}
				s.Tokens[sp.AccountKey()+"|fake-tenant|b/.default"] = store.Token{AccessToken: "fake-token-b", Scope: "b/.default", ExpiresOn: now.Add(-time.Hour)}
				s.Tokens["someone/else|t|a/.default"] = store.Token{AccessToken: "fake-token-c", Scope: "c/.default", ExpiresOn: now}
			},
			wantHealthy: true,
			wantSignIn:  "service principal: secret stored",
			wantTokens:  2,
		},
		{
			name:        "secret missing from the vault",
			ctx:         sp,
			wantSignIn:  "service principal: secret missing",
			wantProblem: `context "sp" has no secret in the vault => azcred login --service-principal`,
		},
		{
			name: "federated token file gone",
			ctx: &store.Context{Name: "fed", Tenant: "fake-tenant", Account: store.Account{ID: "fake-client",
				Type: store.AccountServicePrincipal, Credential: store.CredentialFederated, FederatedTokenFile: "/nonexistent/fake-token"}},
			wantSignIn:  "federated token file missing",
			wantProblem: "/nonexistent/fake-token, which is missing",
		},
		{
			name:        "unknown environment",
			ctx:         &store.Context{Name: "odd", Tenant: "fake-tenant", Environment: "Nowhere", Account: store.Account{ID: "MSI@50342", Type: store.AccountManagedIdentity}},
			wantSignIn:  "managed identity: nothing stored",
			wantProblem: `environment "Nowhere", which is not defined => azcred environment add Nowhere`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, getenv := doctorEnv(t)
			saveContext(t, getenv, tt.ctx, tt.secrets)
			r := diagnose(t, getenv, Options{Now: func() time.Time { return now }})
			if r.Healthy != tt.wantHealthy {
				t.Errorf("healthy = %v, want %v; problems:\n%s", r.Healthy, tt.wantHealthy, findings(r, StatusProblem))
			}
			if len(r.Contexts) != 1 {
				t.Fatalf("got %d contexts, want 1", len(r.Contexts))
			}
			c := r.Contexts[0]
			if !c.Active || c.Name != tt.ctx.Name {
				t.Errorf("context = %+v, want %q active", c, tt.ctx.Name)
			}
			if !strings.Contains(c.SignIn, tt.wantSignIn) {
				t.Errorf("sign-in = %q, want %q", c.SignIn, tt.wantSignIn)
			}
			if len(c.Tokens) != tt.wantTokens {
				t.Errorf("got %d tokens, want %d: %+v", len(c.Tokens), tt.wantTokens, c.Tokens)
			}
			if tt.wantTokens == 2 && (c.Tokens[0].Expired || !c.Tokens[1].Expired) {
				t.Errorf("expired flags wrong: %+v", c.Tokens)
			}
			if p := findings(r, StatusProblem); !strings.Contains(p, tt.wantProblem) {
				t.Errorf("problems:\n%s\nwant one containing %q", p, tt.wantProblem)
			}
		})
	}
}

func TestDoctorNoContexts(t *testing.T) {
	_, getenv := doctorEnv(t)
	r := diagnose(t, getenv, Options{})
	if r.Healthy {
		t.Fatal("an empty store is healthy; want a problem that says to sign in")
	}
	if p := findings(r, StatusProblem); !strings.Contains(p, "=> azcred login") {
		t.Errorf("problems:\n%s", p)
	}
	if r.Stores[0].Config != "missing" || r.Stores[0].Vault != "missing" || r.Stores[0].Exists {
		t.Errorf("store = %+v", r.Stores[0])
	}
	if _, err := os.Stat(getenv("AZCRED_CONFIG_DIR")); err == nil {
		t.Error("doctor created the store directory; it must write nothing")
	}
}

func TestDoctorImplicitContext(t *testing.T) {
	env, getenv := doctorEnv(t)
	env["AZURE_CLIENT_ID"] = "fake-client"
	env["AZURE_TENANT_ID"] = "fake-tenant"
	env["AZURE_FEDERATED_TOKEN_FILE"] = "/fake/token"
	r := diagnose(t, getenv, Options{})
	if !r.Healthy || r.Implicit == nil || r.Implicit.Credential != store.CredentialFederated {
		t.Errorf("healthy = %v, implicit = %+v; problems:\n%s", r.Healthy, r.Implicit, findings(r, StatusProblem))
	}
}

func TestDoctorPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits are not permissions on Windows")
	}
	_, getenv := doctorEnv(t)
	saveContext(t, getenv, &store.Context{Name: "mi", Tenant: "fake-tenant", Account: store.Account{ID: "MSI@50342", Type: store.AccountManagedIdentity}}, nil)
	dir := getenv("AZCRED_CONFIG_DIR")
	if r := diagnose(t, getenv, Options{}); !r.Healthy {
		t.Fatalf("fresh store has problems:\n%s", findings(r, StatusProblem))
	}
	if err := os.Chmod(filepath.Join(dir, "config.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := diagnose(t, getenv, Options{})
	want := "chmod 600 " + filepath.Join(dir, "config.json")
	if r.Healthy || !strings.Contains(findings(r, StatusProblem), want) {
		t.Errorf("problems:\n%s\nwant %q", findings(r, StatusProblem), want)
	}
}

func TestDoctorDocker(t *testing.T) {
	tests := []struct {
		name        string
		config      string
		path        []string
		configured  bool
		wantProblem string
	}{
		{"credHelpers", `{"credHelpers":{"fake.azurecr.io":"azcred","other.example":"desktop"}}`, []string{install.DockerHelperProgram}, true, ""},
		{"credsStore", `{"credsStore":"azcred"}`, []string{install.DockerHelperProgram}, true, ""},
		{"helper not on PATH", `{"credsStore":"azcred"}`, nil, true, "docker-credential-azcred, which is not on PATH"},
		{"someone else's helper", `{"credsStore":"desktop"}`, nil, false, ""},
		{"broken JSON", `{"credsStore":`, nil, false, "cannot read docker config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, getenv := doctorEnv(t)
			saveContext(t, getenv, &store.Context{Name: "mi", Tenant: "fake-tenant", Account: store.Account{ID: "MSI@50342", Type: store.AccountManagedIdentity}}, nil)
			if err := os.MkdirAll(getenv("DOCKER_CONFIG"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(getenv("DOCKER_CONFIG"), "config.json"), []byte(tt.config), 0o600); err != nil {
				t.Fatal(err)
			}
			r := diagnose(t, getenv, Options{LookPath: onPath(tt.path...)})
			var docker ToolInfo
			for _, tool := range r.Tools {
				if tool.Name == "docker" {
					docker = tool
				}
			}
			if docker.Configured != tt.configured {
				t.Errorf("configured = %v, want %v (%s)", docker.Configured, tt.configured, docker.Detail)
			}
			p := findings(r, StatusProblem)
			if (tt.wantProblem == "") != (p == "") || !strings.Contains(p, tt.wantProblem) {
				t.Errorf("problems:\n%s\nwant %q", p, tt.wantProblem)
			}
		})
	}
}

func TestDoctorClock(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name        string
		serverTime  time.Time
		wantProblem bool
	}{
		{"in sync", now, false},
		{"a minute off", now.Add(time.Minute), false},
		{"ten minutes behind", now.Add(-10 * time.Minute), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Date", tt.serverTime.Format(http.TimeFormat))
			}))
			defer srv.Close()
			_, getenv := doctorEnv(t)
			p, err := helper.OpenProfile(getenv)
			if err != nil {
				t.Fatal(err)
			}
			err = p.User.Update(func(cfg *store.Config) error {
				cfg.Environments["Fake"] = &store.Environment{Name: "Fake", Authority: srv.URL + "/", ResourceManager: srv.URL + "/"}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			saveContext(t, getenv, &store.Context{Name: "mi", Tenant: "fake-tenant", Environment: "Fake", Account: store.Account{ID: "MSI@50342", Type: store.AccountManagedIdentity}}, nil)
			offline := diagnose(t, getenv, Options{Now: func() time.Time { return now }, HTTPClient: srv.Client()})
			if offline.Clock != nil {
				t.Fatal("the clock was checked without Online")
			}
			r := diagnose(t, getenv, Options{Now: func() time.Time { return now }, HTTPClient: srv.Client(), Online: true})
			if r.Clock == nil || r.Clock.Error != "" {
				t.Fatalf("clock = %+v", r.Clock)
			}
			got := strings.Contains(findings(r, StatusProblem), "clock")
			if got != tt.wantProblem {
				t.Errorf("clock problem = %v, want %v (skew %s)", got, tt.wantProblem, r.Clock.Skew)
			}
		})
	}
}

func TestDoctorPip(t *testing.T) {
	env, getenv := doctorEnv(t)
	saveContext(t, getenv, &store.Context{Name: "mi", Tenant: "fake-tenant", Account: store.Account{ID: "MSI@50342", Type: store.AccountManagedIdentity}}, nil)
	tool := func(r *Report, name string) ToolInfo {
		for _, tool := range r.Tools {
			if tool.Name == name {
				return tool
			}
		}
		t.Fatalf("no %s in %+v", name, r.Tools)
		return ToolInfo{}
	}
	if r := diagnose(t, getenv, Options{}); tool(r, "pip").Configured || !r.Healthy {
		t.Fatalf("pip not set up: %+v; problems:\n%s", tool(r, "pip"), findings(r, StatusProblem))
	}
	exe := filepath.Join(t.TempDir(), "azcred")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	dir := install.PipLinkDir(getenv)
	if _, err := install.InstallPip(install.PipOptions{LinkDir: dir, Exe: exe, ConfigFile: install.PipConfigPath(getenv)}); err != nil {
		t.Fatal(err)
	}
	r := diagnose(t, getenv, Options{})
	if p := findings(r, StatusProblem); !strings.Contains(p, "pip: pip runs keyring from PATH, and "+dir) {
		t.Errorf("link not on PATH; problems:\n%s", p)
	}
	env["PATH"] = dir
	r = diagnose(t, getenv, Options{})
	if pip := tool(r, "pip"); !pip.Configured || !pip.RunsFound || !r.Healthy {
		t.Errorf("pip = %+v; problems:\n%s", pip, findings(r, StatusProblem))
	}
	if cargo := tool(r, "cargo"); cargo.Configured {
		t.Errorf("cargo = %+v, want not configured", cargo)
	}
}
