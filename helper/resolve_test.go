package helper

import (
	"errors"
	"strings"
	"testing"

	"github.com/azcred/azcred/store"
)

// resolveProfile is a user store with three contexts (the default is
// "def"), a binding of the contoso org to "bound" with a tenant, a binding
// of fabrikam to a context that is not saved, and the given environment.
func resolveProfile(t *testing.T, env map[string]string) (*Profile, *Loaded) {
	t.Helper()
	dir := t.TempDir()
	vars := map[string]string{"AZCRED_CONFIG_DIR": dir, "AZCRED_KEYRING_BACKEND": "file"}
	for k, v := range env {
		vars[k] = v
	}
	getenv := func(k string) string { return vars[k] }
	p, err := OpenProfile(getenv)
	if err != nil {
		t.Fatal(err)
	}
	err = p.User.Update(func(c *store.Config) error {
		for _, n := range []string{"def", "bound", "pinned"} {
			c.SetContext(&store.Context{Name: n, Tenant: "tenant-" + n, Environment: "AzureCloud",
				Account: store.Account{ID: n + "@example.invalid", Type: store.AccountUser}})
		}
		c.Default = "def"
		if err := c.SetBinding(store.Binding{Target: "https://dev.azure.com/contoso", Context: "bound", Tenant: "tenant-from-binding", Scope: "scope-from-binding"}); err != nil {
			return err
		}
		c.Bindings = append(c.Bindings, store.Binding{Target: "https://dev.azure.com/fabrikam", Context: "gone"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := p.Load()
	if err != nil {
		t.Fatal(err)
	}
	return p, l
}

func TestResolveOrder(t *testing.T) {
	defScope := func(*store.Environment) string { return "default-scope" }
	implicit := map[string]string{"AZURE_CLIENT_ID": "cid", "AZURE_TENANT_ID": "tid", "AZURE_CLIENT_SECRET": "fake"}
	tests := []struct {
		name                       string
		env                        map[string]string
		req                        Request
		wantCtx, wantScope, wantTn string
		wantSource                 string
		wantErr                    string
	}{
		{name: "flag beats everything", env: map[string]string{"AZCRED_CONTEXT": "def"},
			req:     Request{Target: "https://dev.azure.com/contoso/p/_git/r", Context: "pinned"},
			wantCtx: "pinned", wantScope: "default-scope", wantTn: "tenant-pinned", wantSource: "--context"},
		{name: "AZCRED_CONTEXT beats a binding", env: map[string]string{"AZCRED_CONTEXT": "pinned"},
			req:     Request{Target: "https://dev.azure.com/contoso/p/_git/r"},
			wantCtx: "pinned", wantScope: "default-scope", wantTn: "tenant-pinned", wantSource: "AZCRED_CONTEXT"},
		{name: "binding beats the default and carries scope and tenant",
			req:     Request{Target: "https://dev.azure.com/contoso/p/_git/r", TenantHint: "tenant-from-challenge"},
			wantCtx: "bound", wantScope: "scope-from-binding", wantTn: "tenant-from-binding", wantSource: "binding https://dev.azure.com/contoso"},
		{name: "flags beat the binding's scope and tenant",
			req:     Request{Target: "https://dev.azure.com/contoso/p/_git/r", Scope: "flag-scope", Tenant: "flag-tenant"},
			wantCtx: "bound", wantScope: "flag-scope", wantTn: "flag-tenant", wantSource: "binding https://dev.azure.com/contoso"},
		{name: "a binding for another context carries nothing",
			req:     Request{Target: "https://dev.azure.com/contoso/p/_git/r", Context: "def"},
			wantCtx: "def", wantScope: "default-scope", wantTn: "tenant-def", wantSource: "--context"},
		{name: "default context with a tenant hint",
			req:     Request{Target: "https://dev.azure.com/other", TenantHint: "tenant-from-challenge"},
			wantCtx: "def", wantScope: "default-scope", wantTn: "tenant-from-challenge", wantSource: "the default context"},
		{name: "the implicit context by name", env: implicit,
			req:     Request{Context: EnvironmentContextName},
			wantCtx: EnvironmentContextName, wantScope: "default-scope", wantTn: "tid", wantSource: "--context"},
		{name: "unknown --context", req: Request{Context: "nope"}, wantErr: `no saved context named "nope" (from --context)`},
		{name: "unknown AZCRED_CONTEXT", env: map[string]string{"AZCRED_CONTEXT": "nope"}, wantErr: `(from AZCRED_CONTEXT)`},
		{name: "binding to a context that is gone", req: Request{Target: "https://dev.azure.com/fabrikam/p"},
			wantErr: `binding https://dev.azure.com/fabrikam names context "gone", which is not saved`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, l := resolveProfile(t, tt.env)
			tt.req.DefaultScope = defScope
			r, err := p.Resolve(l, tt.req)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Resolve = %v, want an error containing %q", err, tt.wantErr)
				}
				if Hint(err) == "" {
					t.Errorf("error %q has no hint", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Context.Name != tt.wantCtx || r.Scope != tt.wantScope || r.Tenant != tt.wantTn || r.Source != tt.wantSource {
				t.Errorf("Resolve = context %q scope %q tenant %q source %q; want %q %q %q %q",
					r.Context.Name, r.Scope, r.Tenant, r.Source, tt.wantCtx, tt.wantScope, tt.wantTn, tt.wantSource)
			}
		})
	}
}

// With no default, nothing bound and no AZURE_* credential, the error
// names what was tried and the command that fixes it; with the implicit
// credential set, it is the last resort.
func TestResolveFallsBackToTheImplicitContext(t *testing.T) {
	p, _ := resolveProfile(t, nil)
	if err := p.User.Update(func(c *store.Config) error { c.Default = ""; return nil }); err != nil {
		t.Fatal(err)
	}
	l, err := p.Load()
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Resolve(l, Request{Target: "https://dev.azure.com/other"})
	if !errors.Is(err, ErrNoContext) {
		t.Fatalf("Resolve = %v, want ErrNoContext", err)
	}
	for _, want := range []string{"no binding", "no default context", "no AZURE_CLIENT_ID/AZURE_TENANT_ID credential"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if h := Hint(err); !strings.Contains(h, "azcred bind https://dev.azure.com/other NAME") {
		t.Errorf("hint %q does not name the bind command", h)
	}

	p2, _ := resolveProfile(t, map[string]string{"AZURE_CLIENT_ID": "cid", "AZURE_TENANT_ID": "tid", "AZURE_FEDERATED_TOKEN_FILE": "/nonexistent"})
	if err := p2.User.Update(func(c *store.Config) error { c.Default = ""; return nil }); err != nil {
		t.Fatal(err)
	}
	l2, err := p2.Load()
	if err != nil {
		t.Fatal(err)
	}
	r, err := p2.Resolve(l2, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Implicit == nil || r.Tenant != "tid" {
		t.Errorf("Resolve = %+v, want the implicit context in tenant tid", r)
	}
}
