package store

// The vault's key scheme. Every map in Secrets, every per-key token record
// and every refresh lock is named by a key built here, and only here:
//
//	account key   ENVIRONMENT/TYPE/ID, lower-case     (Context.AccountKey)
//	credential    ACCOUNT                             Secrets.Credentials
//	MSAL cache    ACCOUNT                             Secrets.MSAL
//	access token  ACCOUNT|tenant|scope                Secrets.Tokens, tokens/ records
//	ACR token     ACCOUNT|tenant|host                 Secrets.Registries, tokens/ records
//	docker        host (not ours: no account)         Secrets.Docker
//
// Every key but docker's starts with the account key, so KeyAccount reads
// the owner back and DropAccount/DropUnused drop all of an account's
// secrets at once: its credential, its MSAL cache (the refresh token), its
// access tokens and its ACR tokens. Tenants and registry hosts are
// lower-cased; the scope is kept as given. The account key never holds
// '|' (Azure account ids cannot), so the first '|' ends it and the last
// starts a registry host.

import "strings"

const keySep = "|"

// AccountKey is the account key of an account in an environment.
func AccountKey(environment, accountType, id string) string {
	return strings.ToLower(environment + "/" + accountType + "/" + id)
}

// CredentialKey is the key of an account's service principal credential.
func CredentialKey(account string) string { return account }

// MSALPartition is the key of an account's MSAL cache: one cache per
// account, so signing one account out never touches another's.
func MSALPartition(account string) string { return account }

// TokenKey is the key of a cached access token.
func TokenKey(account, tenant, scope string) string {
	return account + keySep + strings.ToLower(tenant) + keySep + scope
}

// RegistryKey is the key of a cached ACR refresh token. The host is last
// so RegistryKeyHost can read it back.
func RegistryKey(account, tenant, host string) string {
	return account + keySep + strings.ToLower(tenant) + keySep + strings.ToLower(host)
}

// KeyAccount is the account key a vault key belongs to.
func KeyAccount(key string) string {
	account, _, _ := strings.Cut(key, keySep)
	return account
}

// RegistryKeyHost is the registry host of a RegistryKey.
func RegistryKeyHost(key string) string {
	if i := strings.LastIndex(key, keySep); i >= 0 {
		return key[i+len(keySep):]
	}
	return key
}
