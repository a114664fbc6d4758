package helper

import (
	"context"
	"encoding/json"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
)

// MSALCache persists an MSAL token cache in the vault. Access tokens are
// stripped on export: azcred keeps its own access-token cache (so a cache
// hit never builds an MSAL client), and MSAL, finding none, always uses
// the refresh token when we do call it.
type MSALCache struct {
	data    []byte
	changed bool
}

var _ cache.ExportReplace = (*MSALCache)(nil)

// Replace implements cache.ExportReplace.
func (c *MSALCache) Replace(_ context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	if len(c.data) == 0 {
		return nil
	}
	return u.Unmarshal(c.data)
}

// Export implements cache.ExportReplace.
func (c *MSALCache) Export(_ context.Context, m cache.Marshaler, _ cache.ExportHints) error {
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	c.data = stripAccessTokens(b)
	c.changed = true
	return nil
}

func stripAccessTokens(b []byte) []byte {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return b
	}
	delete(m, "AccessToken")
	out, err := json.Marshal(m)
	if err != nil {
		return b
	}
	return out
}
