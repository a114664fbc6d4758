package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/keyring"
)

func testStore(t *testing.T) *Store {
	t.Helper()
	return Open(t.TempDir(), NewStaticKeys(keyring.NewArrayKeyring(nil), "array"))
}

func addCtx(t *testing.T, s *Store, name, account string) {
	t.Helper()
	err := s.Update(func(c *Config) error {
		c.SetContext(&Context{Name: name, Account: Account{ID: account, Type: AccountUser}, Tenant: "t1", Environment: "AzureCloud"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestConfigRoundTripAndPermissions(t *testing.T) {
	s := testStore(t)
	addCtx(t, s, "work", "alice@contoso.example")
	cfg, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Contexts["work"]; got == nil || got.Name != "work" || got.Account.ID != "alice@contoso.example" {
		t.Fatalf("context not round-tripped: %+v", got)
	}
	st, err := os.Stat(s.ConfigPath())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("config.json mode = %v, want 0600", st.Mode().Perm())
	}
}

func TestRenameRemove(t *testing.T) {
	tests := []struct {
		name    string
		op      func(*Config) error
		wantErr bool
		check   func(*testing.T, *Config)
	}{
		{"rename moves default and bindings", func(c *Config) error { return c.RenameContext("a", "z") }, false, func(t *testing.T, c *Config) {
			if c.Default != "z" || c.Bindings[0].Context != "z" || c.Contexts["z"] == nil || c.Contexts["a"] != nil {
				t.Errorf("after rename: default=%q bindings=%v", c.Default, c.Bindings)
			}
		}},
		{"rename onto existing fails", func(c *Config) error { return c.RenameContext("a", "b") }, true, nil},
		{"rename unknown fails", func(c *Config) error { return c.RenameContext("nope", "x") }, true, nil},
		{"remove active leaves none active", func(c *Config) error { return c.RemoveContext("a") }, false, func(t *testing.T, c *Config) {
			if c.Default != "" || len(c.Bindings) != 0 {
				t.Errorf("default=%q bindings=%v", c.Default, c.Bindings)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConfig()
			c.SetContext(&Context{Name: "a", Account: Account{ID: "x"}})
			c.SetContext(&Context{Name: "b", Account: Account{ID: "y"}})
			c.Default = "a"
			if err := c.SetBinding(Binding{Target: "https://dev.azure.com/contoso", Context: "a"}); err != nil {
				t.Fatal(err)
			}
			err := tt.op(c)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestCorruptAndNewerFilesAreNeverOverwritten(t *testing.T) {
	for name, content := range map[string][]byte{
		"truncated":   []byte(`{"version":1,"contexts":{`),
		"binary":      {0x00, 0xff, 0x13, 0x37},
		"newer":       []byte(`{"version":99}`),
		"newer-shape": []byte(`{"version":2,"contexts":[1,2]}`),
		"foreign":     []byte(`{"hello":"world"}`),
	} {
		t.Run(name, func(t *testing.T) {
			s := testStore(t)
			if err := os.WriteFile(s.ConfigPath(), content, 0o600); err != nil {
				t.Fatal(err)
			}
			err := s.Update(func(c *Config) error { c.Default = "x"; return nil })
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Path != s.ConfigPath() {
				t.Fatalf("err = %v, want a CorruptError naming %s", err, s.ConfigPath())
			}
			if strings.HasPrefix(name, "newer") && !strings.Contains(err.Error(), "newer azcred") {
				t.Errorf("err = %v, want it to say a newer azcred wrote the file", err)
			}
			got, _ := os.ReadFile(s.ConfigPath())
			if !bytes.Equal(got, content) {
				t.Errorf("file changed")
			}
		})
	}
}

func TestBOMIsAccepted(t *testing.T) {
	s := testStore(t)
	os.WriteFile(s.ConfigPath(), append([]byte{0xEF, 0xBB, 0xBF}, `{"version":1,"default":"a","contexts":{"a":{"account":{"id":"x","type":"User"}}}}`...), 0o600)
	cfg, err := s.Load()
	if err != nil || cfg.Default != "a" {
		t.Fatalf("cfg=%+v err=%v", cfg, err)
	}
}

func TestReadOnlyWritesNothing(t *testing.T) {
	s := testStore(t)
	s.ReadOnly = true
	err := s.Update(func(c *Config) error { c.Default = "x"; return nil })
	if !errors.Is(err, ErrNotSaved) {
		t.Fatalf("err = %v, want ErrNotSaved", err)
	}
	if _, err := os.Stat(s.Dir() + "/config.json"); !os.IsNotExist(err) {
		t.Errorf("config.json exists after a read-only update")
	}
	err = s.Update(func(c *Config) error { return c.RenameContext("nope", "x") })
	if errors.Is(err, ErrNotSaved) || err == nil {
		t.Errorf("invalid change must fail even read-only, got %v", err)
	}
}

func TestVaultRoundTripEncryptedAndDropUnused(t *testing.T) {
	s := testStore(t)
	addCtx(t, s, "work", "alice@contoso.example")
	cfg, _ := s.Load()
	key := cfg.Contexts["work"].AccountKey()
	const fake = "fake-access-token-for-vault-test"
	err := s.UpdateSecrets(func(sec *Secrets) error {
		sec.Tokens[key+"|t1|scope"] = Token{AccessToken: fake, ExpiresOn: time.Now().Add(time.Hour)}
		sec.Tokens["azurecloud/user/gone@x|t1|scope"] = Token{AccessToken: "orphan"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(s.VaultPath())
	if bytes.Contains(raw, []byte(fake)) {
		t.Fatal("vault.bin holds the token in clear")
	}
	err = s.UpdateAll(func(c *Config, sec *Secrets) error { sec.DropUnused(c); return nil }, false)
	if err != nil {
		t.Fatal(err)
	}
	sec, err := s.Secrets()
	if err != nil {
		t.Fatal(err)
	}
	if sec.Tokens[key+"|t1|scope"].AccessToken != fake || len(sec.Tokens) != 1 {
		t.Errorf("tokens after DropUnused: %d entries", len(sec.Tokens))
	}
	// A tampered vault is reported, not silently replaced.
	raw[len(raw)-1] ^= 1
	os.WriteFile(s.VaultPath(), raw, 0o600)
	var ce *CorruptError
	if _, err := s.Secrets(); !errors.As(err, &ce) {
		t.Errorf("tampered vault: err = %v", err)
	}
}

func TestFileBackendGeneratesKey(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"AZCRED_KEYRING_BACKEND": "file"}
	keys, err := NewKeyringKeys(dir, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	s := Open(dir, keys)
	if err := s.UpdateSecrets(func(sec *Secrets) error {
		sec.Docker["r"] = DockerCredential{Username: "u", Secret: "fake"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "vault.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("passphrase file: %v %v", st, err)
	}
	keys2, _ := NewKeyringKeys(dir, func(k string) string { return env[k] })
	sec, err := Open(dir, keys2).Secrets()
	if err != nil || sec.Docker["r"].Secret != "fake" {
		t.Fatalf("reopen: %v", err)
	}
	if _, err := NewKeyringKeys(dir, func(string) string { return "nonsense" }); err == nil {
		t.Error("unknown backend accepted")
	}
}

func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	s := testStore(t)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			other := Open(s.Dir(), s.keys) // own lock fd, like another process
			err := other.Update(func(c *Config) error {
				c.SetContext(&Context{Name: fmt.Sprint("c", i), Account: Account{ID: fmt.Sprint(i)}})
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	cfg, err := s.Load()
	if err != nil || len(cfg.Contexts) != 20 {
		t.Fatalf("%d contexts, err %v", len(cfg.Contexts), err)
	}
}

func TestMatchBinding(t *testing.T) {
	c := NewConfig()
	for _, n := range []string{"work", "personal", "host", "reg"} {
		c.SetContext(&Context{Name: n})
	}
	for _, b := range []Binding{
		{Target: "https://dev.azure.com/contoso", Context: "work"},
		{Target: "https://dev.azure.com/contoso/special", Context: "personal"},
		{Target: "https://dev.azure.com", Context: "host"},
		{Target: "Contoso.AzureCR.io", Context: "reg"},
		{Target: "Fabrikam.azurecr.io:05000", Context: "reg"},
		{Target: "https://git.example:08443/team", Context: "work"},
		{Target: "https://pkgs.dev.azure.com/Contoso", Context: "work"},
		{Target: "127.0.0.1:18765", Context: "reg"},
		{Target: "https://example.azurecr.io", Context: "host"},
	} {
		if err := c.SetBinding(b); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ target, want string }{
		{"https://dev.azure.com/contoso/proj/_git/repo", "work"},
		{"https://DEV.azure.com/contoso/special/_git/x", "personal"},
		{"https://dev.azure.com/Contoso/Proj/_git/repo", "work"},
		{"https://other.example/Contoso", ""},
		{"https://dev.azure.com/contosoX/p", "host"},
		{"https://dev.azure.com", "host"},
		{"https://other.example/contoso", ""},
		{"contoso.azurecr.io", "reg"},
		{"contoso.azurecr.io/library/app", "reg"},
		{"contoso.azurecr.io:443", ""},
		// One normaliser (protocols.NormalizeRegistry) for bind and get:
		// leading zeros in a port name the same registry.
		{"fabrikam.azurecr.io:5000", "reg"},
		{"https://git.example:8443/team/repo", "work"},
		// Azure Artifacts names are case-insensitive too.
		{"https://pkgs.dev.azure.com/contoso/_packaging/f/pypi/simple", "work"},
		{"https://pkgs.dev.azure.com/CONTOSO/_packaging/f/Cargo/index", "work"},
		// A registry binding never matches a URL (git, kube): least of
		// all over plain http.
		{"http://127.0.0.1:18765/org/repo", ""},
		{"https://127.0.0.1:18765/org/repo", ""},
		{"https://contoso.azurecr.io", ""},
		// A host-level URL binding still serves the registry on that host.
		{"example.azurecr.io", "host"},
		{"example.azurecr.io/library/app", "host"},
		{"http://example.azurecr.io", ""},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			got := ""
			if b := c.MatchBinding(tt.target); b != nil {
				got = b.Context
			}
			if got != tt.want {
				t.Errorf("MatchBinding(%q) = %q, want %q", tt.target, got, tt.want)
			}
		})
	}
}

func BenchmarkVaultRead(b *testing.B) {
	for _, c := range []struct{ name, pass, cache string }{
		{"generated-key", "", ""}, {"passphrase", "bench", ""}, {"passphrase-no-session-cache", "bench", "0"},
	} {
		b.Run(c.name, func(b *testing.B) { benchVaultRead(b, c.pass, c.cache) })
	}
}

func benchVaultRead(b *testing.B, pass, cache string) {
	dir := b.TempDir()
	env := func(k string) string {
		return map[string]string{"AZCRED_KEYRING_BACKEND": "file", "AZCRED_KEYRING_PASSPHRASE": pass, "AZCRED_KEYRING_CACHE": cache}[k]
	}
	keys, _ := NewKeyringKeys(dir, env)
	Open(dir, keys).UpdateSecrets(func(s *Secrets) error { s.Docker["x"] = DockerCredential{Secret: "y"}; return nil })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k, _ := NewKeyringKeys(dir, env)
		if _, err := Open(dir, k).Secrets(); err != nil {
			b.Fatal(err)
		}
	}
}

// Issue 17.12: a wrong or missing AZCRED_KEYRING_PASSPHRASE says so and
// says what to set, whichever way round the mismatch is.
func TestPassphraseMismatchHints(t *testing.T) {
	open := func(dir, pass string) *Store {
		t.Helper()
		env := map[string]string{"AZCRED_KEYRING_BACKEND": "file", "AZCRED_KEYRING_PASSPHRASE": pass}
		keys, err := NewKeyringKeys(dir, func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		return Open(dir, keys)
	}
	seed := func(pass string) string {
		dir := t.TempDir()
		if err := open(dir, pass).UpdateSecrets(func(sec *Secrets) error {
			sec.Docker["r"] = DockerCredential{Username: "u", Secret: "fake"}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	tests := []struct {
		name, created, used, want string
	}{
		{"wrong passphrase", "fake-one", "fake-two", "set AZCRED_KEYRING_PASSPHRASE to the passphrase"},
		{"passphrase missing", "fake-one", "", "set AZCRED_KEYRING_PASSPHRASE to the passphrase"},
		{"passphrase not wanted", "", "fake-two", "unset it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := open(seed(tt.created), tt.used).Secrets()
			var ke *KeyError
			if !errors.As(err, &ke) || !strings.Contains(ke.Hint(), tt.want) {
				t.Fatalf("error %v, want a KeyError whose hint says %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "fake-one") || strings.Contains(err.Error(), "fake-two") {
				t.Errorf("the error shows a passphrase: %v", err)
			}
		})
	}
}
