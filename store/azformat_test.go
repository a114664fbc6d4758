package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const importDir = "../testdata/import"

// Fake ids used by the samples in testdata/import.
const (
	tenantA = "aaaaaaaa-0000-4000-8000-00000000000a"
	tenantB = "bbbbbbbb-0000-4000-8000-00000000000b"
	sub1    = "11111111-0000-4000-8000-000000000001"
	sub2    = "22222222-0000-4000-8000-000000000002"
	sub3    = "33333333-0000-4000-8000-000000000003"
	spID    = "5ca1ab1e-0000-4000-8000-00000000f00d"
	uamiID  = "c11e47fa-0000-4000-8000-0000000000c1"
	alice   = "alice@contoso.example"
	homeID  = "0b1d0000-0000-4000-8000-0000000000a1." + tenantA
)

var aliceDev = "Contoso Dev (fake) (" + sub1 + ") - " + tenantA + " - " + alice

func readSample(t *testing.T, name string) (string, []byte) {
	t.Helper()
	path := filepath.Join(importDir, name)
	data, err := ReadFileLimited(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

func importSample(t *testing.T, name string) *Imported {
	t.Helper()
	path, data := readSample(t, name)
	im, err := ParseImport(path, data)
	if err != nil {
		t.Fatalf("ParseImport(%s): %v", name, err)
	}
	return im
}

func contextNames(cs []*Context) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func envNames(es []*Environment) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

func findContext(t *testing.T, im *Imported, name string) *Context {
	t.Helper()
	for _, c := range im.Contexts {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no context %q in %q", name, contextNames(im.Contexts))
	return nil
}

func TestParseImportSamples(t *testing.T) {
	tests := []struct {
		file      string
		format    string
		names     []string
		def       string
		envs      []string
		withCache bool
		check     func(*testing.T, *Imported)
	}{
		{
			file: "az-context.json", format: FormatAzPowerShell,
			// Save-AzContext's "Default" key becomes the Az default name.
			names: []string{aliceDev}, def: aliceDev, withCache: true,
			check: func(t *testing.T, im *Imported) {
				c := findContext(t, im, aliceDev)
				want := Context{Name: aliceDev, Tenant: tenantA, Environment: "AzureCloud",
					Account:      Account{ID: alice, Type: AccountUser, HomeAccountID: homeID, Tenants: []string{tenantA, tenantB}},
					Subscription: Subscription{ID: sub1, Name: "Contoso Dev (fake)", State: "Enabled"}}
				if !reflect.DeepEqual(*c, want) {
					t.Errorf("context = %+v\nwant      %+v", *c, want)
				}
			},
		},
		{
			file: "AzureRmContext.json", format: FormatAzPowerShell,
			names: []string{aliceDev, "ci-deploy", "stack"}, def: aliceDev, envs: []string{"AzureStackUser"}, withCache: true,
			check: func(t *testing.T, im *Imported) {
				sp := findContext(t, im, "ci-deploy")
				if sp.Account.Type != AccountServicePrincipal || sp.Account.ID != spID || sp.Account.Credential != CredentialSecret ||
					sp.Tenant != tenantA || sp.Subscription.ID != sub2 {
					t.Errorf("service principal context = %+v", sp)
				}
				if got := im.Credentials[sp.AccountKey()].Secret; got != "FAKE-sp-secret-for-tests-only" {
					t.Errorf("service principal secret not imported (len %d)", len(got))
				}
				st := findContext(t, im, "stack")
				if st.Environment != "AzureStackUser" || st.Tenant != tenantB || st.Subscription.ID != sub3 || st.Account.ID != "bob@fabrikam.example" {
					t.Errorf("stack context = %+v", st)
				}
				e := im.Environments[0]
				want := Environment{Name: "AzureStackUser", Authority: "https://adfs.local.azurestack.example/adfs/",
					ResourceManager:    "https://management.local.azurestack.example/",
					ManagementResource: "https://management.adfs.azurestack.example/00000000-0000-4000-8000-0000000005ac",
					RegistrySuffix:     "azsacr.local.azurestack.example"}
				if *e != want {
					t.Errorf("environment = %+v\nwant          %+v", *e, want)
				}
			},
		},
		{
			file: "azureProfile.json", format: FormatAzureCLI,
			names: []string{
				"Contoso Dev (fake) (" + sub1 + ") - " + tenantA + " - MSI@50342",
				aliceDev,
				"Contoso Prod (fake) (" + sub2 + ") - " + tenantA + " - " + spID,
				"Contoso Prod (fake) (" + sub2 + ") - " + tenantA + " - " + alice,
				"Contoso Prod (fake) (" + sub2 + ") - " + tenantA + " - " + uamiID,
				tenantB + " - " + alice,
			},
			def: aliceDev,
			check: func(t *testing.T, im *Imported) {
				mi := findContext(t, im, "Contoso Dev (fake) ("+sub1+") - "+tenantA+" - MSI@50342")
				if mi.Account.Type != AccountManagedIdentity || mi.Account.ClientID != "" {
					t.Errorf("system-assigned identity = %+v", mi.Account)
				}
				ua := findContext(t, im, "Contoso Prod (fake) ("+sub2+") - "+tenantA+" - "+uamiID)
				if ua.Account.Type != AccountManagedIdentity || ua.Account.ClientID != uamiID {
					t.Errorf("user-assigned identity = %+v", ua.Account)
				}
				sp := findContext(t, im, "Contoso Prod (fake) ("+sub2+") - "+tenantA+" - "+spID)
				if sp.Account.Type != AccountServicePrincipal {
					t.Errorf("service principal = %+v", sp.Account)
				}
				// The tenant-level pseudo-subscription is no subscription.
				tl := findContext(t, im, tenantB+" - "+alice)
				if tl.Subscription != (Subscription{}) || tl.Tenant != tenantB {
					t.Errorf("tenant-level context = %+v", tl)
				}
				// The CLI lists alice once per subscription; her account knows every tenant.
				if got := findContext(t, im, aliceDev).Account.Tenants; !slices.Equal(got, []string{tenantA, tenantB}) {
					t.Errorf("alice's tenants = %q", got)
				}
			},
		},
		{
			file: "azcred-config.json", format: FormatAzcred,
			// Only the custom environments in use are imported.
			names: []string{"lab", "work"}, def: "work", envs: []string{"FakeLab"},
			check: func(t *testing.T, im *Imported) {
				if c := findContext(t, im, "lab"); c.Account.Credential != CredentialCertificate || c.Environment != "FakeLab" {
					t.Errorf("lab context = %+v", c)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			im := importSample(t, tt.file)
			if im.Format != tt.format {
				t.Errorf("format = %q, want %q", im.Format, tt.format)
			}
			if got := contextNames(im.Contexts); !slices.Equal(got, tt.names) {
				t.Errorf("names = %q\nwant    %q", got, tt.names)
			}
			if im.Default != tt.def {
				t.Errorf("default = %q, want %q", im.Default, tt.def)
			}
			if got := envNames(im.Environments); !slices.Equal(got, tt.envs) {
				t.Errorf("environments = %q, want %q", got, tt.envs)
			}
			if (im.MSALCache != nil) != tt.withCache {
				t.Errorf("MSAL cache present = %v, want %v", im.MSALCache != nil, tt.withCache)
			}
			if im.MSALCache != nil && !bytes.Contains(im.MSALCache, []byte(`"RefreshToken"`)) {
				t.Errorf("MSAL cache was not decoded: %.40q", im.MSALCache)
			}
			for _, n := range im.Notes {
				if strings.Contains(n, "FAKE-") || strings.ContainsAny(n, "\r\n") {
					t.Errorf("note leaks a secret or spans lines: %q", n)
				}
			}
			if tt.check != nil {
				tt.check(t, im)
			}
		})
	}
}

// PowerShell writes a BOM, other tools do not: both must read the same.
func TestParseImportBOM(t *testing.T) {
	for _, file := range []string{"az-context.json", "azureProfile.json", "AzureRmContext.json", "azcred-config.json"} {
		t.Run(file, func(t *testing.T) {
			path, data := readSample(t, file)
			plain := StripBOM(data)
			withBOM := append([]byte{0xEF, 0xBB, 0xBF}, plain...)
			a, err := ParseImport(path, plain)
			if err != nil {
				t.Fatal(err)
			}
			b, err := ParseImport(path, withBOM)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, b) {
				t.Errorf("with and without BOM differ:\n%+v\n%+v", a, b)
			}
		})
	}
}

func TestParseImportBadFiles(t *testing.T) {
	tests := []struct {
		name string
		data func(t *testing.T) []byte
		want string
	}{
		{"truncated.json", sampleData, "not valid JSON"},
		{"binary.bin", sampleData, "not valid JSON"},
		{"other.json", sampleData, "none of the known formats"},
		{"empty", func(*testing.T) []byte { return nil }, "not valid JSON"},
		{"bom only", func(*testing.T) []byte { return []byte("\xEF\xBB\xBF") }, "not valid JSON"},
		{"array", func(*testing.T) []byte { return []byte(`[{"Contexts":{}}]`) }, "not a JSON object"},
		{"null", func(*testing.T) []byte { return []byte(`null`) }, "not a JSON object"},
		{"az wrong type", func(*testing.T) []byte { return []byte(`{"Contexts":{"a":{"Account":{"Id":5}}}}`) }, "not a valid Az PowerShell context file"},
		{"cli wrong type", func(*testing.T) []byte { return []byte(`{"subscriptions":{"id":"x"}}`) }, "not a valid Azure CLI azureProfile.json"},
		{"azcred newer", func(*testing.T) []byte { return []byte(`{"version":99}`) }, "newer azcred"},
		{"too large", func(*testing.T) []byte { return bytes.Repeat([]byte(" "), maxFileSize+1) }, "too large"},
		{"error text from the file stays on one line", func(*testing.T) []byte {
			return []byte(`{"Contexts":{"a\nb\u2028":{"Account":{"Id":"x","Type":["\n"]}}}}`)
		}, "not a valid Az PowerShell context file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(importDir, tt.name)
			_, err := ParseImport(path, tt.data(t))
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, path) || !strings.Contains(msg, tt.want) || strings.ContainsAny(msg, "\r\n") {
				t.Errorf("error = %q, want one line naming %s and saying %q", msg, path, tt.want)
			}
		})
	}
}

func sampleData(t *testing.T) []byte {
	_, data := readSample(t, t.Name()[strings.LastIndex(t.Name(), "/")+1:])
	return data
}

// Contexts azcred cannot use are left out with a note, not a failure.
func TestParseImportLeavesOutWithNote(t *testing.T) {
	tests := []struct {
		name string
		json string
		note string
	}{
		{"access token account", `{"DefaultContextKey":"x","Contexts":{"x":{"Account":{"Id":"a","Type":"AccessToken"},"Tenant":{"Id":"t"}}}}`, `"AccessToken" is not supported`},
		{"null account", `{"DefaultContextKey":"Default","Contexts":{"Default":{"Account":null}}}`, "no account"},
		{"no tenant", `{"Contexts":{"x":{"Account":{"Id":"a","Type":"User"}}}}`, "no tenant"},
		{"undefined custom environment", `{"Contexts":{"x":{"Account":{"Id":"a","Type":"User"},"Tenant":{"Id":"t"},"Environment":{"Name":"Nowhere"}}}}`, `"Nowhere" is not defined`},
		{"custom environment with a bad authority", `{"Contexts":{"x":{"Account":{"Id":"a","Type":"User"},"Tenant":{"Id":"t"},
			"Environment":{"Name":"Bad","ActiveDirectoryAuthority":"ftp://x","ResourceManagerUrl":"https://rm.example/"}}}}`, "an https URL"},
		{"control characters in a name", `{"Contexts":{"a\nb":{"Account":{"Id":"a","Type":"User"},"Tenant":{"Id":"t"}}}}`, "control characters"},
		{"cli object-id identity", `{"subscriptions":[{"id":"s","name":"n","tenantId":"t","user":{"name":"userAssignedIdentity","type":"servicePrincipal","assignedIdentityInfo":"MSIObject-0000"}}]}`, "needs its client id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im, err := ParseImport("x.json", []byte(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			if len(im.Contexts) != 0 || im.Default != "" {
				t.Errorf("contexts = %q, default %q; want none", contextNames(im.Contexts), im.Default)
			}
			if len(im.Notes) != 1 || !strings.Contains(im.Notes[0], tt.note) || strings.ContainsAny(im.Notes[0], "\r\n") {
				t.Errorf("notes = %q, want one line saying %q", im.Notes, tt.note)
			}
		})
	}
}

func roundTripContexts() []*Context {
	return []*Context{
		{Name: "dev", Tenant: tenantA, Environment: "AzureCloud",
			Account:      Account{ID: alice, Type: AccountUser, HomeAccountID: homeID, ClientID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", Tenants: []string{tenantA, tenantB}},
			Subscription: Subscription{ID: sub1, Name: "Contoso Dev (fake)", State: "Enabled"}},
		{Name: "ci", Tenant: tenantA, Environment: "AzureUSGovernment",
			Account:      Account{ID: spID, Type: AccountServicePrincipal, Credential: CredentialFederated, FederatedTokenFile: "/var/run/secrets/azure/tokens/azure-identity-token"},
			Subscription: Subscription{ID: sub2, Name: "Contoso Prod (fake)", State: "Disabled"}},
		{Name: "cert", Tenant: tenantB, Environment: "AzureChinaCloud",
			Account: Account{ID: spID, Type: AccountServicePrincipal, Credential: CredentialCertificate}},
		{Name: "vm", Tenant: tenantA, Environment: "AzureCloud",
			Account:      Account{ID: "MSI@50342", Type: AccountManagedIdentity},
			Subscription: Subscription{ID: sub1, Name: "Contoso Dev (fake)", State: "Enabled"}},
		{Name: "pod", Tenant: tenantA, Environment: "FakeLab",
			Account:      Account{ID: uamiID, Type: AccountManagedIdentity, ClientID: uamiID},
			Subscription: Subscription{ID: sub3, Name: "Lab (fake)", State: "Enabled"}},
	}
}

func testEnvs(name string) (*Environment, error) {
	if strings.EqualFold(name, "FakeLab") {
		return &Environment{Name: "FakeLab", Authority: "https://127.0.0.1:8443/", ResourceManager: "https://127.0.0.1:8444/",
			ManagementResource: "https://lab.example/", RegistrySuffix: "127.0.0.1:5000"}, nil
	}
	return (&Config{}).Environment(name)
}

func TestSaveAzRoundTrip(t *testing.T) {
	cache := []byte(`{"RefreshToken":{"k":{"secret":"FAKE-refresh-token"}},"AccessToken":{}}`)
	ctxs := roundTripContexts()
	data, err := SaveAz(ctxs, testEnvs, cache)
	if err != nil {
		t.Fatal(err)
	}
	im, err := ParseImport("saved.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if im.Format != FormatAzPowerShell || im.Default != "dev" {
		t.Errorf("format %q, default %q; want az-powershell, dev", im.Format, im.Default)
	}
	if !bytes.Equal(im.MSALCache, cache) {
		t.Errorf("MSAL cache = %q, want %q", im.MSALCache, cache)
	}
	if len(im.Contexts) != len(ctxs) {
		t.Fatalf("got %q", contextNames(im.Contexts))
	}
	for _, want := range ctxs {
		if got := findContext(t, im, want.Name); !reflect.DeepEqual(got, want) {
			t.Errorf("context %s:\n got %+v\nwant %+v", want.Name, *got, *want)
		}
	}
	lab, _ := testEnvs("FakeLab")
	if len(im.Environments) != 1 || *im.Environments[0] != *lab {
		t.Errorf("environments = %+v, want %+v", im.Environments, lab)
	}
}

func TestSaveAzSingleContext(t *testing.T) {
	ctx := roundTripContexts()[0]
	for _, tokens := range []bool{false, true} {
		t.Run(map[bool]string{false: "without tokens", true: "with tokens"}[tokens], func(t *testing.T) {
			var cache []byte
			if tokens {
				cache = []byte(`{"AccessToken":{}}`)
			}
			data, err := SaveAz([]*Context{ctx}, testEnvs, cache)
			if err != nil {
				t.Fatal(err)
			}
			var raw struct {
				DefaultContextKey string
				Contexts          map[string]struct {
					TokenCache  struct{ CacheData *string }
					Environment map[string]any
				}
			}
			if err := json.Unmarshal(data, &raw); err != nil {
				t.Fatal(err)
			}
			d, ok := raw.Contexts[ctx.Name]
			if raw.DefaultContextKey != ctx.Name || !ok || len(raw.Contexts) != 1 {
				t.Fatalf("want one context under its name %q, got key %q, %d contexts", ctx.Name, raw.DefaultContextKey, len(raw.Contexts))
			}
			if (d.TokenCache.CacheData != nil) != tokens {
				t.Errorf("CacheData present = %v, want %v", d.TokenCache.CacheData != nil, tokens)
			}
			if d.Environment["Type"] != "Built-in" || d.Environment["StorageEndpointSuffix"] != "core.windows.net" {
				t.Errorf("environment block lacks Az's built-in endpoints: %v", d.Environment)
			}
			im, err := ParseImport("saved.json", data)
			if err != nil {
				t.Fatal(err)
			}
			if len(im.Contexts) != 1 || im.Contexts[0].Name != ctx.Name || im.Default != ctx.Name {
				t.Errorf("imported %q default %q, want the saved name %q", contextNames(im.Contexts), im.Default, ctx.Name)
			}
		})
	}
}

func TestSaveAzErrors(t *testing.T) {
	ctx := roundTripContexts()[0]
	missing := &Context{Name: "x", Tenant: tenantA, Environment: "Nowhere", Account: Account{ID: alice, Type: AccountUser}}
	tests := []struct {
		name string
		ctxs []*Context
		want string
	}{
		{"none", nil, "no context"},
		{"unknown environment", []*Context{ctx, missing}, `no environment named "Nowhere"`},
		{"duplicate", []*Context{ctx, ctx}, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SaveAz(tt.ctxs, testEnvs, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
	var nf *NotFoundError
	if _, err := SaveAz([]*Context{missing}, testEnvs, nil); !errors.As(err, &nf) {
		t.Errorf("environment error not wrapped: %v", err)
	}
}

func TestMergeImport(t *testing.T) {
	im := importSample(t, "AzureRmContext.json")
	tests := []struct {
		name        string
		cfg         func() *Config
		wantDefault string
	}{
		{"empty store takes the file's default", NewConfig, aliceDev},
		{"existing default is kept", func() *Config {
			c := NewConfig()
			c.SetContext(&Context{Name: "mine", Tenant: "t", Account: Account{ID: "me", Type: AccountUser}})
			c.Default = "mine"
			return c
		}, "mine"},
		{"dangling default counts as none", func() *Config {
			c := NewConfig()
			c.Default = "gone"
			return c
		}, aliceDev},
		{"same name is replaced, environment case too", func() *Config {
			c := NewConfig()
			c.SetContext(&Context{Name: "stack", Tenant: "old", Account: Account{ID: "old", Type: AccountUser}})
			c.Environments["azurestackuser"] = &Environment{Name: "azurestackuser", Authority: "https://old.example/"}
			return c
		}, aliceDev},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg()
			names := MergeImport(cfg, im)
			if !slices.Equal(names, contextNames(im.Contexts)) {
				t.Errorf("names = %q", names)
			}
			if cfg.Default != tt.wantDefault {
				t.Errorf("default = %q, want %q", cfg.Default, tt.wantDefault)
			}
			if c := cfg.Contexts["stack"]; c == nil || c.Tenant != tenantB {
				t.Errorf("stack not imported or not replaced: %+v", c)
			}
			if len(cfg.Environments) != 1 || cfg.Environments["AzureStackUser"] == nil {
				t.Errorf("environments = %v", cfg.Environments)
			}
			if e, err := cfg.Environment("AzureStackUser"); err != nil || e.Authority != "https://adfs.local.azurestack.example/adfs/" {
				t.Errorf("environment = %+v, %v", e, err)
			}
			// A replaced environment that now points elsewhere is named
			// with both authorities (15.3: its saved credentials follow).
			moved := slices.ContainsFunc(im.Notes, func(n string) bool {
				return strings.Contains(n, "https://old.example/") && strings.Contains(n, "https://adfs.local.azurestack.example/adfs/")
			})
			if moved != strings.HasPrefix(tt.name, "same name") {
				t.Errorf("notes %q: a note about the moved authority = %v", im.Notes, moved)
			}
			im.Notes = nil
		})
	}
	// The config owns its copies: changing it leaves the import alone.
	cfg := NewConfig()
	MergeImport(cfg, im)
	cfg.Contexts["stack"].Account.Tenants[0] = "changed"
	if findContext(t, im, "stack").Account.Tenants[0] == "changed" {
		t.Error("MergeImport shares slices with the import")
	}
}

func TestMissingEnvironments(t *testing.T) {
	data := []byte(`{"subscriptions":[
		{"id":"s1","name":"n","tenantId":"t","environmentName":"MyStack","user":{"name":"u@example.test","type":"user"}},
		{"id":"s2","name":"n","tenantId":"t","environmentName":"azurecloud","user":{"name":"u@example.test","type":"user"}}]}`)
	im, err := ParseImport("azureProfile.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if got := im.Contexts[1].Environment; got != "AzureCloud" {
		t.Errorf("built-in environment spelled %q, want AzureCloud", got)
	}
	cfg := NewConfig()
	if got := im.MissingEnvironments(cfg); !slices.Equal(got, []string{"MyStack"}) {
		t.Errorf("missing = %q, want [MyStack]", got)
	}
	cfg.Environments["mystack"] = &Environment{Name: "mystack"}
	if got := im.MissingEnvironments(cfg); len(got) != 0 {
		t.Errorf("missing = %q after defining it", got)
	}
}
