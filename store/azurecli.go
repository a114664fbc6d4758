package store

// Migration from the Azure CLI without a second sign-in. az keeps its configuration in
// ~/.azure (or $AZURE_CONFIG_DIR): azureProfile.json lists the accounts and subscriptions
// (importCLI reads it), and MSAL's token cache holds their refresh tokens, as plain JSON
// in msal_token_cache.json on Linux and macOS, DPAPI-encrypted in msal_token_cache.bin on
// Windows (and wherever az was told to encrypt it). The cache uses MSAL's cross-language
// schema, which MSAL Go reads as it is; az signs in with its public client, which is the
// client azcred refreshes user accounts with, so an imported refresh token just works.
//
// What goes to the vault, per user account: its Account and RefreshToken entries (and
// IdToken, AppMetadata), matched by username then home_account_id. Access tokens are left
// behind: azcred keeps its own, and one refresh gets fresh ones. Nothing from the cache
// appears in notes or errors.

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Files of an Azure CLI configuration directory.
const (
	CLIProfileFile    = "azureProfile.json"
	cliCacheFile      = "msal_token_cache.json"
	cliEncryptedCache = "msal_token_cache.bin"
)

// CLIProfilePath is the azureProfile.json to import for path: path itself, or the one
// inside it when path is a directory (~/.azure).
func CLIProfilePath(path string) string {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return filepath.Join(path, CLIProfileFile)
	}
	return path
}

// AttachCLICache reads the Azure CLI token cache in dir (beside azureProfile.json) into
// im.MSALCaches, one filtered cache per user account, and notes what could not be had.
func AttachCLICache(im *Imported, dir string) {
	users := map[string]string{} // account key → user name
	for _, c := range im.Contexts {
		if c.Account.Type == AccountUser {
			users[c.AccountKey()] = c.Account.ID
		}
	}
	if len(users) == 0 {
		return
	}
	cache, why := readCLICache(dir)
	if cache == nil {
		im.note("%s; the first token request of its users needs azcred login", why)
		return
	}
	for key, user := range users {
		if b := msalCacheFor(cache, user); b != nil {
			if im.MSALCaches == nil {
				im.MSALCaches = map[string][]byte{}
			}
			im.MSALCaches[key] = b
			continue
		}
		im.note("user %q has no sign-in in the Azure CLI token cache; the first token request needs azcred login", user)
	}
}

// readCLICache returns the parsed cache, or nil and why not.
func readCLICache(dir string) (map[string]map[string]json.RawMessage, string) {
	path := filepath.Join(dir, cliCacheFile)
	data, err := ReadFileLimited(path)
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, cliEncryptedCache)); err == nil {
			return nil, "the Azure CLI token cache " + filepath.Join(dir, cliEncryptedCache) + " is encrypted (as az keeps it on Windows) and cannot be imported"
		}
		return nil, "no Azure CLI token cache (" + cliCacheFile + ") beside the profile"
	}
	if err != nil {
		return nil, "the Azure CLI token cache " + path + " cannot be read"
	}
	var cache map[string]map[string]json.RawMessage
	if json.Unmarshal(StripBOM(data), &cache) != nil {
		return nil, "the Azure CLI token cache " + path + " is not plain JSON (encrypted?) and cannot be imported"
	}
	return cache, ""
}

// msalCacheFor keeps the cache entries of one user (by username, then home_account_id),
// without access tokens; nil when the user has no refresh token in it.
func msalCacheFor(cache map[string]map[string]json.RawMessage, user string) []byte {
	type entry struct {
		HomeAccountID string `json:"home_account_id"`
		Username      string `json:"username"`
	}
	homes := map[string]bool{}
	out := map[string]map[string]json.RawMessage{}
	for k, raw := range cache["Account"] {
		var e entry
		if json.Unmarshal(raw, &e) == nil && e.HomeAccountID != "" && strings.EqualFold(e.Username, user) {
			homes[e.HomeAccountID] = true
			put(out, "Account", k, raw)
		}
	}
	for _, section := range []string{"RefreshToken", "IdToken"} {
		for k, raw := range cache[section] {
			var e entry
			if json.Unmarshal(raw, &e) == nil && homes[e.HomeAccountID] {
				put(out, section, k, raw)
			}
		}
	}
	if len(out["RefreshToken"]) == 0 {
		return nil
	}
	for k, raw := range cache["AppMetadata"] {
		put(out, "AppMetadata", k, raw)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil
	}
	return b
}

func put(m map[string]map[string]json.RawMessage, section, key string, v json.RawMessage) {
	if m[section] == nil {
		m[section] = map[string]json.RawMessage{}
	}
	m[section][key] = v
}
