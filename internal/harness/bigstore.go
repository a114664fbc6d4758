package harness

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/azcred/azcred/store"
)

// BigStore copies the signed-in store to dir and adds n user contexts, n
// bindings and n cached access tokens (one per added account), so a warm
// call can be timed against a store that holds much more than it needs.
// It returns the environment that points azcred at the copy.
func (e *Env) BigStore(dir string, n int) ([]string, error) {
	src := filepath.Join(e.Dir, "config")
	if err := copyDir(src, dir); err != nil {
		return nil, err
	}
	getenv := func(k string) string {
		if k == "AZCRED_KEYRING_BACKEND" {
			return "file"
		}
		return ""
	}
	keys, err := store.NewKeyringKeys(dir, getenv)
	if err != nil {
		return nil, err
	}
	exp := time.Now().Add(12 * time.Hour)
	err = store.Open(dir, keys).UpdateAll(func(cfg *store.Config, sec *store.Secrets) error {
		for i := 0; i < n; i++ {
			c := &store.Context{
				Name:         fmt.Sprintf("filler-%04d", i),
				Account:      store.Account{ID: fmt.Sprintf("user%04d@contoso.example", i), Type: store.AccountUser, HomeAccountID: fmt.Sprintf("%08d-0000-4000-8000-000000000000.%s", i, Tenant)},
				Tenant:       Tenant,
				Subscription: store.Subscription{ID: fmt.Sprintf("%08d-0000-4000-8000-00000000000b", i), Name: fmt.Sprintf("Filler subscription %d", i)},
				Environment:  "AzureCloud",
			}
			cfg.SetContext(c)
			if err := cfg.SetBinding(store.Binding{Target: fmt.Sprintf("https://dev.azure.com/filler%04d", i), Context: c.Name}); err != nil {
				return err
			}
			sec.Tokens[store.TokenKey(c.AccountKey(), Tenant, "499b84ac-1321-427f-aa17-267ca6975798/.default")] = store.Token{
				AccessToken: fmt.Sprintf("fake-filler-access-token-%04d-%0200d", i, 0), ExpiresOn: exp, Tenant: Tenant, Scope: "499b84ac-1321-427f-aa17-267ca6975798/.default"}
		}
		return nil
	}, true)
	if err != nil {
		return nil, err
	}
	return []string{"AZCRED_CONFIG_DIR=" + dir}, nil
}

// copyDir copies a store directory (regular files only; locks are not copied).
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o700)
		}
		if !d.Type().IsRegular() || d.Name() == ".lock" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o600)
	})
}
