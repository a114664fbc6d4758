package store

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cliCache is an Azure CLI MSAL cache with two users and an access token (fake values).
const cliCache = `{
  "AccessToken": {"at": {"credential_type": "AccessToken", "secret": "fake-at", "home_account_id": "a.t"}},
  "Account": {
    "a": {"home_account_id": "a.t", "environment": "login.example", "username": "Alice@Contoso.example"},
    "c": {"home_account_id": "c.t", "environment": "login.example", "username": "carol@contoso.example"}
  },
  "RefreshToken": {
    "rta": {"credential_type": "RefreshToken", "secret": "fake-rt-alice", "home_account_id": "a.t", "family_id": "1"},
    "rtc": {"credential_type": "RefreshToken", "secret": "fake-rt-carol", "home_account_id": "c.t", "family_id": "1"}
  },
  "IdToken": {},
  "AppMetadata": {"m": {"client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "family_id": "1"}}
}`

func cliImported(users ...string) *Imported {
	im := &Imported{Format: FormatAzureCLI}
	for _, u := range users {
		im.Contexts = append(im.Contexts, &Context{Name: u, Environment: "AzureCloud", Account: Account{ID: u, Type: AccountUser}})
	}
	return im
}

func TestAttachCLICache(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, cliCacheFile), []byte(cliCache), 0o600); err != nil {
		t.Fatal(err)
	}
	im := cliImported("alice@contoso.example", "bob@fabrikam.example")
	AttachCLICache(im, dir)
	key := im.Contexts[0].AccountKey()
	got := string(im.MSALCaches[key])
	for _, want := range []string{"fake-rt-alice", `"a.t"`, "AppMetadata"} {
		if !strings.Contains(got, want) {
			t.Errorf("alice's cache lacks %s: %s", want, got)
		}
	}
	for _, not := range []string{"fake-rt-carol", "fake-at", "carol"} {
		if strings.Contains(got, not) {
			t.Errorf("alice's cache holds %s: %s", not, got)
		}
	}
	var parsed map[string]map[string]json.RawMessage
	if err := json.Unmarshal([]byte(got), &parsed); err != nil || len(parsed["RefreshToken"]) != 1 {
		t.Errorf("not one refresh token: %v %s", err, got)
	}
	if len(im.MSALCaches) != 1 || len(im.Notes) != 1 || !strings.Contains(im.Notes[0], `"bob@fabrikam.example" has no sign-in`) {
		t.Errorf("caches %d, notes %q", len(im.MSALCaches), im.Notes)
	}
	for _, n := range im.Notes {
		if strings.Contains(n, "fake-rt") {
			t.Errorf("a note holds a secret: %s", n)
		}
	}
}

func TestAttachCLICacheUnusable(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		note  string
	}{
		{"encrypted on Windows", map[string]string{cliEncryptedCache: "\x01\x00DPAPI"}, "is encrypted (as az keeps it on Windows)"},
		{"json file that is not JSON", map[string]string{cliCacheFile: "\x01\x00DPAPI"}, "is not plain JSON"},
		{"no cache", nil, "no Azure CLI token cache"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			im := cliImported("alice@contoso.example", "bob@fabrikam.example")
			AttachCLICache(im, dir)
			if len(im.MSALCaches) != 0 || len(im.Notes) != 1 || !strings.Contains(im.Notes[0], tt.note) {
				t.Errorf("caches %d, notes %q; want one note with %q", len(im.MSALCaches), im.Notes, tt.note)
			}
		})
	}
}
