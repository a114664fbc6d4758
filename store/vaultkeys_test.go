package store

import "testing"

// Removing an account's last context must take its MSAL cache (its
// refresh token) with it, as `azcred context remove` does.
func TestRemovingLastContextDropsMSALCache(t *testing.T) {
	s := testStore(t)
	addCtx(t, s, "work", "alice@contoso.example")
	addCtx(t, s, "other", "bob@contoso.example")
	cfg, _ := s.Load()
	alice, bob := cfg.Contexts["work"].AccountKey(), cfg.Contexts["other"].AccountKey()
	err := s.UpdateSecrets(func(sec *Secrets) error {
		sec.MSAL[MSALPartition(alice)] = []byte(`{"RefreshToken":{"fake":"fake-refresh-token-alice"}}`)
		sec.MSAL[MSALPartition(bob)] = []byte(`{"RefreshToken":{"fake":"fake-refresh-token-bob"}}`)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	removeContext(t, s, "work")
	sec, err := s.Secrets()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := sec.MSAL[MSALPartition(alice)]; ok {
		t.Error("the removed account's MSAL cache (its refresh token) is still in the vault")
	}
	if _, ok := sec.MSAL[MSALPartition(bob)]; !ok {
		t.Error("another account's MSAL cache was dropped")
	}
}

// DropAccount (sign-out) drops every kind of secret of the account.
func TestDropAccountDropsEverything(t *testing.T) {
	sec := newSecrets()
	a, b := "azurecloud/user/a@x", "azurecloud/user/b@x"
	for _, acct := range []string{a, b} {
		sec.MSAL[MSALPartition(acct)] = []byte("{}")
		sec.Credentials[CredentialKey(acct)] = Credential{Secret: "fake"}
		sec.Tokens[TokenKey(acct, "T1", "s/.default")] = Token{AccessToken: "fake"}
		sec.Registries[RegistryKey(acct, "t1", "R.azurecr.io")] = RegistryToken{RefreshToken: "fake"}
	}
	sec.DropAccount(a)
	if len(sec.MSAL) != 1 || len(sec.Credentials) != 1 || len(sec.Tokens) != 1 || len(sec.Registries) != 1 {
		t.Fatalf("after DropAccount(a): %d msal, %d credentials, %d tokens, %d registries; want 1 of each (b's)",
			len(sec.MSAL), len(sec.Credentials), len(sec.Tokens), len(sec.Registries))
	}
	if _, ok := sec.MSAL[MSALPartition(b)]; !ok {
		t.Error("b's MSAL cache went too")
	}
}

func TestKeySchemeRoundTrip(t *testing.T) {
	acct := "azurecloud/user/alice@contoso.example"
	tk := TokenKey(acct, "Tenant-1", "https://management.azure.com/.default")
	if tk != acct+"|tenant-1|https://management.azure.com/.default" {
		t.Errorf("TokenKey = %q", tk)
	}
	if KeyAccount(tk) != acct {
		t.Errorf("KeyAccount(%q) = %q", tk, KeyAccount(tk))
	}
	rk := RegistryKey(acct, "T", "Contoso.AzureCR.io")
	if RegistryKeyHost(rk) != "contoso.azurecr.io" || KeyAccount(rk) != acct {
		t.Errorf("RegistryKey %q: host %q account %q", rk, RegistryKeyHost(rk), KeyAccount(rk))
	}
	if KeyAccount(MSALPartition(acct)) != acct || KeyAccount(CredentialKey(acct)) != acct {
		t.Error("MSAL partition and credential key must belong to their account")
	}
}

// removeContext does what `azcred context remove` does.
func removeContext(t *testing.T, s *Store, name string) {
	t.Helper()
	err := s.UpdateAll(func(c *Config, sec *Secrets) error {
		if err := c.RemoveContext(name); err != nil {
			return err
		}
		sec.DropUnused(c)
		return nil
	}, true)
	if err != nil {
		t.Fatal(err)
	}
}
