package store

// Import and export of other tools' context files.
//
// azcred reads three formats and writes one:
//   - azcred's own config.json, recognised by its "version" key;
//   - Az PowerShell's AzureRmContext.json and Save-AzContext files: a
//     PSAzureProfile serialised by Newtonsoft.Json (PascalCase keys, a
//     "Contexts" map, null for missing parts, the token cache base64 in
//     TokenCache.CacheData); SaveAz writes this format;
//   - Azure CLI's azureProfile.json: a "subscriptions" array, one entry per
//     (account, subscription); the CLI keeps tokens and secrets elsewhere.
//
// Rules, for every format:
//   - a UTF-8 BOM is ignored (PowerShell writes one) and keys match
//     case-insensitively, as Newtonsoft does;
//   - a file that is not one of the formats fails with one line naming the
//     path and what was expected;
//   - a single context that azcred cannot use (an access-token account, a
//     broken custom environment) is left out with a line in Notes, rather
//     than failing the whole import;
//   - nothing secret from the file ever appears in an error or a note.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// Import formats (Imported.Format).
const (
	FormatAzcred       = "azcred"
	FormatAzPowerShell = "az-powershell"
	FormatAzureCLI     = "azure-cli"
)

// azDefaultKey is the context key Save-AzContext writes for its single
// context. It is a placeholder, not a name.
const azDefaultKey = "Default"

// Extended properties azcred adds to the Az accounts it writes, so that a
// saved context round-trips. Az keeps unknown extended properties as they
// are and ignores them.
const (
	azPropCredential = "AzcredCredential"
	azPropTokenFile  = "AzcredFederatedTokenFile"
	azPropClientID   = "AzcredClientId"
)

// Imported is what an import file holds.
type Imported struct {
	Format   string     // FormatAzcred, FormatAzPowerShell or FormatAzureCLI
	Contexts []*Context // names set (Az default names where the file has none), sorted by name
	// Default is the file's default context name, "" if none (or if that
	// context was left out).
	Default string
	// Environments are the custom (non built-in) environments the
	// contexts use, as far as the file defines them.
	Environments []*Environment
	// MSALCache is the token cache found in the file (Az's
	// TokenCache.CacheData, base64-decoded; several contexts' caches are
	// merged), nil if none. It holds refresh tokens: treat it as a secret.
	MSALCache []byte
	// MSALCaches are per-account token caches (by Context.AccountKey), which win over
	// MSALCache: the Azure CLI's cache split by user (AttachCLICache). Secret.
	MSALCaches map[string][]byte
	// Credentials are service principal secrets the file holds (old Az
	// versions saved ServicePrincipalSecret in the file), by
	// Context.AccountKey. Secret: goes to the vault only.
	Credentials map[string]Credential
	// Notes say what was left out or still needs doing, one line each,
	// for the CLI to print on stderr. They never hold secrets.
	Notes []string
}

// ParseImport detects the format of an import file and parses it. Every
// error is one line naming path and saying what was expected.
func ParseImport(path string, data []byte) (*Imported, error) {
	if len(data) > maxFileSize {
		return nil, importError(path, "too large (%d bytes, limit %d)", len(data), maxFileSize)
	}
	data = StripBOM(data)
	var probe any
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, importError(path, "not valid JSON (%s); expected %s", oneLine(shortJSONError(err)), wantFormats)
	}
	obj, ok := probe.(map[string]any)
	if !ok {
		return nil, importError(path, "not a JSON object; expected %s", wantFormats)
	}
	switch {
	case isNumber(lookup(obj, "version")):
		// A package.json has a "version" too, but a string one.
		return importAzcred(path, data)
	case hasKey(obj, "Contexts"), hasKey(obj, "DefaultContextKey"):
		return importAz(path, data)
	case hasKey(obj, "subscriptions"):
		return importCLI(path, data)
	}
	return nil, importError(path, "a JSON file of none of the known formats; expected %s", wantFormats)
}

const wantFormats = `an azcred config.json ("version"), an Az PowerShell context file ("Contexts") or an Azure CLI azureProfile.json ("subscriptions")`

func importError(path, format string, args ...any) error {
	return fmt.Errorf("import %s: %s", path, fmt.Sprintf(format, args...))
}

// oneLine keeps messages built from file content on one line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if breaksLine(r) {
			return ' '
		}
		return r
	}, s)
}

// breaksLine is true for control characters and Unicode line and paragraph
// separators: none belongs in a name or a one-line message.
func breaksLine(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp)
}

// lookup finds a key as Newtonsoft and encoding/json do: exact first,
// then ignoring case.
func lookup(obj map[string]any, key string) (any, bool) {
	if v, ok := obj[key]; ok {
		return v, true
	}
	for k, v := range obj {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

func hasKey(obj map[string]any, key string) bool {
	_, ok := lookup(obj, key)
	return ok
}

func isNumber(v any, ok bool) bool {
	_, num := v.(float64)
	return ok && num
}

// MergeImport adds the imported contexts and environments to cfg. A
// context or environment of the same name is replaced, as Import-AzContext
// overwrites. The default context changes only when cfg has none (or names
// a context that does not exist): it becomes the file's default, else the
// first imported context. It returns the names of the contexts imported,
// new or replaced.
func MergeImport(cfg *Config, im *Imported) []string {
	if cfg.Environments == nil {
		cfg.Environments = map[string]*Environment{}
	}
	for _, e := range im.Environments {
		if IsBuiltinEnvironment(e.Name) {
			continue
		}
		// Environment names are case-insensitive: replace, never duplicate.
		for n, old := range cfg.Environments {
			if strings.EqualFold(n, e.Name) {
				if old.Authority != e.Authority || old.ResourceManager != e.ResourceManager {
					// Saved service principals in it will send their
					// credentials to the new authority: say so.
					im.note("environment %q now signs in at %s (was %s) and uses Resource Manager %s (was %s), for every context in it",
						e.Name, e.Authority, old.Authority, e.ResourceManager, old.ResourceManager)
				}
				delete(cfg.Environments, n)
			}
		}
		cp := *e
		cfg.Environments[e.Name] = &cp
	}
	names := make([]string, 0, len(im.Contexts))
	for _, c := range im.Contexts {
		cp := *c
		cp.Account.Tenants = slices.Clone(c.Account.Tenants)
		cfg.SetContext(&cp)
		names = append(names, c.Name)
	}
	if _, ok := cfg.Contexts[cfg.Default]; !ok {
		switch {
		case im.Default != "" && cfg.Contexts[im.Default] != nil:
			cfg.Default = im.Default
		case len(names) > 0:
			cfg.Default = names[0]
		}
	}
	return names
}

// MissingEnvironments lists the environments the imported contexts use
// that neither the file nor cfg defines (an Azure CLI custom cloud, say):
// those contexts cannot get tokens until `azcred environment add`.
func (im *Imported) MissingEnvironments(cfg *Config) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range im.Contexts {
		name := c.Environment
		if seen[strings.ToLower(name)] {
			continue
		}
		seen[strings.ToLower(name)] = true
		if _, err := cfg.Environment(name); err == nil {
			continue
		}
		if slices.ContainsFunc(im.Environments, func(e *Environment) bool { return strings.EqualFold(e.Name, name) }) {
			continue
		}
		out = append(out, name)
	}
	return out
}

// importAzcred reads our own config.json.
func importAzcred(path string, data []byte) (*Imported, error) {
	cfg, err := ParseConfig(path, data)
	if err != nil {
		// Say "import", not "store": this file is not our store.
		var ce *CorruptError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("import %s: %w", path, ce.Err)
		}
		return nil, err
	}
	im := &Imported{Format: FormatAzcred}
	envs := map[string]*Environment{}
	for _, name := range cfg.ContextNames() {
		c := cfg.Contexts[name]
		if reason := badName(name); reason != "" {
			im.note("context %q left out: %s", name, reason)
			continue
		}
		im.Contexts = append(im.Contexts, c)
		if IsBuiltinEnvironment(c.Environment) || c.Environment == "" {
			continue
		}
		e, err := cfg.Environment(c.Environment)
		if err != nil {
			im.note("context %q uses environment %q, which the file does not define", name, c.Environment)
			continue
		}
		envs[strings.ToLower(e.Name)] = e
	}
	if _, ok := cfg.Contexts[cfg.Default]; ok && badName(cfg.Default) == "" {
		im.Default = cfg.Default
	}
	im.Environments = sortedEnvs(envs)
	return im, nil
}

func (im *Imported) note(format string, args ...any) {
	im.Notes = append(im.Notes, oneLine(fmt.Sprintf(format, args...)))
}

// badName says why a context name cannot be used, or "".
func badName(name string) string {
	if strings.TrimSpace(name) == "" {
		return "empty name"
	}
	if strings.IndexFunc(name, breaksLine) >= 0 {
		return "the name has control characters"
	}
	return ""
}

func sortedEnvs(m map[string]*Environment) []*Environment {
	out := make([]*Environment, 0, len(m))
	for _, e := range m {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// builtinName returns the canonical spelling of a built-in environment.
func builtinName(name string) (string, bool) {
	for _, b := range builtins {
		if strings.EqualFold(b.Name, name) {
			return b.Name, true
		}
	}
	return "", false
}

// contextSet collects contexts by name; a later context of the same name
// replaces an earlier one, as a later key would in Az.
type contextSet struct {
	byName map[string]*Context
}

func (s *contextSet) add(c *Context) {
	if s.byName == nil {
		s.byName = map[string]*Context{}
	}
	s.byName[c.Name] = c
}

func (s *contextSet) sorted() []*Context {
	out := make([]*Context, 0, len(s.byName))
	for _, c := range s.byName {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ---- Az PowerShell: AzureRmContext.json and Save-AzContext files ----

// azProfile is Az's PSAzureProfile as Newtonsoft writes it. Fields azcred
// does not read are `any`, so that any value there is accepted on import
// and Az's shape is kept on export.
type azProfile struct {
	DefaultContextKey  *string                   `json:"DefaultContextKey"`
	EnvironmentTable   map[string]*azEnvironment `json:"EnvironmentTable"`
	Contexts           map[string]*azContext     `json:"Contexts"`
	ExtendedProperties azProps                   `json:"ExtendedProperties"`
}

type azContext struct {
	Account            *azAccount      `json:"Account"`
	Tenant             *azTenant       `json:"Tenant"`
	Subscription       *azSubscription `json:"Subscription"`
	Environment        *azEnvironment  `json:"Environment"`
	VersionProfile     any             `json:"VersionProfile"`
	TokenCache         *azTokenCache   `json:"TokenCache"`
	ExtendedProperties azProps         `json:"ExtendedProperties"`
}

type azAccount struct {
	ID                 string  `json:"Id"`
	Credential         any     `json:"Credential"`
	Type               string  `json:"Type"`
	TenantMap          any     `json:"TenantMap"`
	ExtendedProperties azProps `json:"ExtendedProperties"`
}

type azTenant struct {
	ID                 string  `json:"Id"`
	Directory          any     `json:"Directory"`
	IsHome             any     `json:"IsHome"`
	ExtendedProperties azProps `json:"ExtendedProperties"`
}

type azSubscription struct {
	ID                 string  `json:"Id"`
	Name               string  `json:"Name"`
	State              string  `json:"State"`
	ExtendedProperties azProps `json:"ExtendedProperties"`
}

// azEnvironment is Az's AzureEnvironment; azcred uses the first few
// endpoints and writes the well-known rest for built-in clouds.
type azEnvironment struct {
	Name                                     string  `json:"Name"`
	Type                                     string  `json:"Type"`
	OnPremise                                any     `json:"OnPremise"`
	ActiveDirectoryServiceEndpointResourceID string  `json:"ActiveDirectoryServiceEndpointResourceId"`
	AdTenant                                 any     `json:"AdTenant"`
	GalleryURL                               any     `json:"GalleryUrl"`
	ManagementPortalURL                      any     `json:"ManagementPortalUrl"`
	ServiceManagementURL                     any     `json:"ServiceManagementUrl"`
	PublishSettingsFileURL                   any     `json:"PublishSettingsFileUrl"`
	ResourceManagerURL                       string  `json:"ResourceManagerUrl"`
	SQLDatabaseDNSSuffix                     any     `json:"SqlDatabaseDnsSuffix"`
	StorageEndpointSuffix                    any     `json:"StorageEndpointSuffix"`
	ActiveDirectoryAuthority                 string  `json:"ActiveDirectoryAuthority"`
	GraphURL                                 any     `json:"GraphUrl"`
	GraphEndpointResourceID                  any     `json:"GraphEndpointResourceId"`
	TrafficManagerDNSSuffix                  any     `json:"TrafficManagerDnsSuffix"`
	AzureKeyVaultDNSSuffix                   any     `json:"AzureKeyVaultDnsSuffix"`
	AzureKeyVaultServiceEndpointResourceID   any     `json:"AzureKeyVaultServiceEndpointResourceId"`
	ContainerRegistryEndpointSuffix          string  `json:"ContainerRegistryEndpointSuffix"`
	VersionProfiles                          any     `json:"VersionProfiles"`
	ExtendedProperties                       azProps `json:"ExtendedProperties"`
}

type azTokenCache struct {
	CacheData *string `json:"CacheData"`
}

// azProps is an ExtendedProperties dictionary. Az's are case-insensitive
// and hold strings (lists are comma-separated).
type azProps map[string]any

func (p azProps) get(key string) string { return strings.TrimSpace(p.raw(key)) }

// raw is get without trimming, for secrets.
func (p azProps) raw(key string) string {
	v, ok := p[key]
	if !ok {
		for k, kv := range p {
			if strings.EqualFold(k, key) {
				v, ok = kv, true
				break
			}
		}
	}
	if s, isStr := v.(string); ok && isStr {
		return s
	}
	return ""
}

// list reads a comma-separated property ("Tenants").
func (p azProps) list(key string) []string {
	var out []string
	for _, s := range strings.Split(p.get(key), ",") {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func (p azProps) set(key, value string) {
	if value != "" {
		p[key] = value
	}
}

// Az's environment types.
const (
	azEnvBuiltIn     = "Built-in"
	azEnvUserDefined = "User-defined"
)

func importAz(path string, data []byte) (*Imported, error) {
	var p azProfile
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, importError(path, "not a valid Az PowerShell context file (%s)", oneLine(shortJSONError(err)))
	}
	im := &Imported{Format: FormatAzPowerShell}
	envs := map[string]*Environment{}
	var set contextSet
	defaultKey := ""
	if p.DefaultContextKey != nil {
		defaultKey = *p.DefaultContextKey
	}
	keys := make([]string, 0, len(p.Contexts))
	for k := range p.Contexts {
		keys = append(keys, k)
	}
	// "Default" first, so that a named context of the same identity wins.
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == azDefaultKey) != (keys[j] == azDefaultKey) {
			return keys[i] == azDefaultKey
		}
		return keys[i] < keys[j]
	})
	for _, key := range keys {
		ac := p.Contexts[key]
		c, reason := azToContext(ac, &p, envs, im)
		if reason != "" {
			im.note("context %q left out: %s", key, reason)
			continue
		}
		c.Name = key
		if key == azDefaultKey {
			c.Name = c.DefaultName()
		}
		if reason := badName(c.Name); reason != "" {
			im.note("context %q left out: %s", key, reason)
			continue
		}
		set.add(c)
		if key == defaultKey {
			im.Default = c.Name
		}
		if err := im.addAzCache(ac); err != nil {
			im.note("context %q: token cache not imported: %v", key, err)
		}
		im.addAzSecret(c, ac.Account.ExtendedProperties)
	}
	im.Contexts = set.sorted()
	im.Environments = sortedEnvs(envs)
	return im, nil
}

// azToContext converts one Az context, or says why it cannot be used.
// Custom environments it uses are added to envs.
func azToContext(ac *azContext, p *azProfile, envs map[string]*Environment, im *Imported) (*Context, string) {
	if ac == nil || ac.Account == nil || strings.TrimSpace(ac.Account.ID) == "" {
		return nil, "it has no account"
	}
	c := &Context{}
	if ac.Tenant != nil {
		c.Tenant = strings.TrimSpace(ac.Tenant.ID)
	}
	if s := ac.Subscription; s != nil && strings.TrimSpace(s.ID) != "" {
		c.Subscription = Subscription{ID: strings.TrimSpace(s.ID), Name: s.Name, State: s.State}
		if c.Tenant == "" {
			c.Tenant = s.ExtendedProperties.get("HomeTenant")
		}
	}
	if c.Tenant == "" {
		if ts := ac.Account.ExtendedProperties.list("Tenants"); len(ts) > 0 {
			c.Tenant = ts[0]
		}
	}
	if c.Tenant == "" {
		return nil, "it has no tenant"
	}
	acct, reason := azToAccount(ac.Account)
	if reason != "" {
		return nil, reason
	}
	c.Account = acct
	env, reason := azEnvironmentOf(ac, p, envs)
	if reason != "" {
		return nil, reason
	}
	c.Environment = env
	switch {
	case c.Account.Type == AccountServicePrincipal && c.Account.Credential == CredentialCertificate:
		im.note("service principal %q: its certificate is not in the file; sign in again with azcred login --service-principal --certificate", c.Account.ID)
	case c.Account.Type == AccountServicePrincipal && c.Account.Credential == CredentialSecret &&
		ac.Account.ExtendedProperties.get("ServicePrincipalSecret") == "":
		im.note("service principal %q: its secret is not in the file; sign in again with azcred login --service-principal --secret-stdin", c.Account.ID)
	}
	return c, ""
}

func azToAccount(a *azAccount) (Account, string) {
	props := a.ExtendedProperties
	acct := Account{
		ID:            strings.TrimSpace(a.ID),
		HomeAccountID: props.get("HomeAccountId"),
		Tenants:       props.list("Tenants"),
		ClientID:      props.get(azPropClientID),
	}
	switch {
	case strings.EqualFold(a.Type, AccountUser):
		acct.Type = AccountUser
	case strings.EqualFold(a.Type, AccountServicePrincipal):
		acct.Type = AccountServicePrincipal
		acct.Credential = CredentialSecret
		if props.get("CertificateThumbprint") != "" || props.get("CertificatePath") != "" {
			acct.Credential = CredentialCertificate
		}
	case strings.EqualFold(a.Type, "ClientAssertion"):
		// Az keeps the federated token itself, which expires; azcred needs
		// the file the platform keeps fresh.
		acct.Type = AccountServicePrincipal
		acct.Credential = CredentialFederated
	case strings.EqualFold(a.Type, AccountManagedIdentity):
		acct.Type = AccountManagedIdentity
		// Az names a system-assigned identity MSI@<port> and a
		// user-assigned one by its client id.
		if !strings.HasPrefix(acct.ID, "MSI@") && acct.ClientID == "" {
			acct.ClientID = acct.ID
		}
	default:
		return Account{}, fmt.Sprintf("account type %q is not supported; sign in with azcred login instead", a.Type)
	}
	if acct.Type == AccountServicePrincipal {
		if c := props.get(azPropCredential); c == CredentialSecret || c == CredentialCertificate || c == CredentialFederated {
			acct.Credential = c
		}
		acct.FederatedTokenFile = props.get(azPropTokenFile)
		if acct.Credential == CredentialFederated && acct.FederatedTokenFile == "" {
			return Account{}, "a federated token sign-in without a token file; sign in with azcred login --service-principal --federated-token-file"
		}
	}
	return acct, ""
}

// azEnvironmentOf names the context's environment; a custom one must be
// defined, in the context or in the file's EnvironmentTable.
func azEnvironmentOf(ac *azContext, p *azProfile, envs map[string]*Environment) (string, string) {
	name := ""
	if ac.Environment != nil {
		name = strings.TrimSpace(ac.Environment.Name)
	}
	if name == "" && ac.Subscription != nil {
		name = ac.Subscription.ExtendedProperties.get("Environment")
	}
	if name == "" {
		return DefaultEnvironment, ""
	}
	if canon, ok := builtinName(name); ok {
		return canon, ""
	}
	if e, ok := envs[strings.ToLower(name)]; ok {
		return e.Name, ""
	}
	def := ac.Environment
	if def == nil || !strings.EqualFold(def.Name, name) || def.ActiveDirectoryAuthority == "" {
		def = nil
		for k, e := range p.EnvironmentTable {
			if e != nil && strings.EqualFold(k, name) {
				def = e
			}
		}
	}
	if def == nil {
		return "", fmt.Sprintf("environment %q is not defined in the file", name)
	}
	e := &Environment{
		Name:               name,
		Authority:          strings.TrimSpace(def.ActiveDirectoryAuthority),
		ResourceManager:    strings.TrimSpace(def.ResourceManagerURL),
		ManagementResource: strings.TrimSpace(def.ActiveDirectoryServiceEndpointResourceID),
		RegistrySuffix:     strings.TrimSpace(def.ContainerRegistryEndpointSuffix),
	}
	if e.ManagementResource == "" {
		e.ManagementResource = DefaultManagementResource
	}
	if err := e.Validate(); err != nil {
		return "", fmt.Sprintf("environment %q: %v", name, err)
	}
	envs[strings.ToLower(name)] = e
	return name, ""
}

// addAzCache merges a context's TokenCache.CacheData into im.MSALCache.
// Az writes the same MSAL cache into every context; caches that differ are
// merged entry by entry.
func (im *Imported) addAzCache(ac *azContext) error {
	if ac.TokenCache == nil || ac.TokenCache.CacheData == nil || *ac.TokenCache.CacheData == "" {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(*ac.TokenCache.CacheData)
	if err != nil {
		return errors.New("CacheData is not base64")
	}
	var sections map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sections); err != nil {
		// ADAL-era caches are binary and useless to MSAL.
		return errors.New("not an MSAL token cache (an old ADAL cache?); sign in again")
	}
	if im.MSALCache == nil || bytes.Equal(im.MSALCache, raw) {
		im.MSALCache = raw
		return nil
	}
	var have map[string]map[string]json.RawMessage
	if err := json.Unmarshal(im.MSALCache, &have); err != nil {
		return err
	}
	for sec, entries := range sections {
		if have[sec] == nil {
			have[sec] = map[string]json.RawMessage{}
		}
		for k, v := range entries {
			if _, ok := have[sec][k]; !ok {
				have[sec][k] = v
			}
		}
	}
	merged, err := json.Marshal(have)
	if err != nil {
		return err
	}
	im.MSALCache = merged
	return nil
}

// addAzSecret keeps a service principal secret that old Az versions saved
// in the file.
func (im *Imported) addAzSecret(c *Context, props azProps) {
	if c.Account.Type != AccountServicePrincipal || c.Account.Credential != CredentialSecret {
		return
	}
	secret := props.raw("ServicePrincipalSecret")
	if secret == "" {
		return
	}
	if im.Credentials == nil {
		im.Credentials = map[string]Credential{}
	}
	im.Credentials[CredentialKey(c.AccountKey())] = Credential{Secret: secret}
}

// ---- Azure CLI: azureProfile.json ----

type cliProfile struct {
	Subscriptions []*cliSubscription `json:"subscriptions"`
}

type cliSubscription struct {
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	State           string   `json:"state"`
	User            *cliUser `json:"user"`
	IsDefault       any      `json:"isDefault"`
	TenantID        string   `json:"tenantId"`
	EnvironmentName string   `json:"environmentName"`
	HomeTenantID    string   `json:"homeTenantId"`
}

type cliUser struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// AssignedIdentityInfo marks managed identities: "MSI" (system
	// assigned), "MSIClient-<client id>", "MSIObject-<object id>",
	// "MSIResource-<resource id>".
	AssignedIdentityInfo string `json:"assignedIdentityInfo"`
}

// cliTenantLevel is the name az login --allow-no-subscriptions gives the
// pseudo-subscription of a tenant without subscriptions (its id is the
// tenant id).
const cliTenantLevel = "N/A(tenant level account)"

func importCLI(path string, data []byte) (*Imported, error) {
	var p cliProfile
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, importError(path, "not a valid Azure CLI azureProfile.json (%s)", oneLine(shortJSONError(err)))
	}
	im := &Imported{Format: FormatAzureCLI}
	var set contextSet
	noted := map[string]bool{}
	noteOnce := func(key, format string, args ...any) {
		if !noted[key] {
			noted[key] = true
			im.note(format, args...)
		}
	}
	// The CLI lists an account once per subscription; Az's account knows
	// all its tenants.
	tenants := map[string][]string{}
	for i, s := range p.Subscriptions {
		c, reason := cliToContext(s)
		if reason != "" {
			id := ""
			if s != nil {
				id = s.ID
			}
			im.note("subscription %d (%q) left out: %s", i+1, id, reason)
			continue
		}
		if !IsBuiltinEnvironment(c.Environment) {
			noteOnce("env:"+strings.ToLower(c.Environment), "environment %q is an Azure CLI custom cloud whose definition is not in this file; if azcred does not know it, add it with azcred environment add", c.Environment)
		}
		switch {
		case c.Account.Type == AccountServicePrincipal:
			noteOnce("sp:"+c.Account.ID, "service principal %q: Azure CLI keeps its secret elsewhere; sign in again with azcred login --service-principal", c.Account.ID)
		}
		key := c.AccountKey()
		if !slices.Contains(tenants[key], c.Tenant) {
			tenants[key] = append(tenants[key], c.Tenant)
		}
		c.Name = c.DefaultName()
		if reason := badName(c.Name); reason != "" {
			im.note("subscription %d (%q) left out: %s", i+1, s.ID, reason)
			continue
		}
		set.add(c)
		if b, _ := s.IsDefault.(bool); b {
			im.Default = c.Name
		}
	}
	im.Contexts = set.sorted()
	for _, c := range im.Contexts {
		c.Account.Tenants = slices.Clone(tenants[c.AccountKey()])
	}
	return im, nil
}

func cliToContext(s *cliSubscription) (*Context, string) {
	if s == nil || s.User == nil || strings.TrimSpace(s.User.Name) == "" {
		return nil, "it has no user"
	}
	c := &Context{Tenant: strings.TrimSpace(s.TenantID)}
	if c.Tenant == "" {
		return nil, "it has no tenantId"
	}
	id := strings.TrimSpace(s.ID)
	if id != "" && !(s.Name == cliTenantLevel && strings.EqualFold(id, c.Tenant)) {
		c.Subscription = Subscription{ID: id, Name: s.Name, State: s.State}
	}
	c.Environment = strings.TrimSpace(s.EnvironmentName)
	if c.Environment == "" {
		c.Environment = DefaultEnvironment
	}
	if canon, ok := builtinName(c.Environment); ok {
		c.Environment = canon
	}
	u := s.User
	info := strings.TrimSpace(u.AssignedIdentityInfo)
	switch {
	case info == "MSI":
		c.Account = Account{ID: "MSI@50342", Type: AccountManagedIdentity}
	case strings.HasPrefix(info, "MSIClient-"):
		id := strings.TrimPrefix(info, "MSIClient-")
		c.Account = Account{ID: id, Type: AccountManagedIdentity, ClientID: id}
	case info != "":
		return nil, fmt.Sprintf("managed identity %q: azcred needs its client id; sign in with azcred login --managed-identity --client-id", info)
	case strings.EqualFold(u.Type, "user"):
		c.Account = Account{ID: strings.TrimSpace(u.Name), Type: AccountUser}
	case strings.EqualFold(u.Type, "servicePrincipal"):
		c.Account = Account{ID: strings.TrimSpace(u.Name), Type: AccountServicePrincipal, Credential: CredentialSecret}
	default:
		return nil, fmt.Sprintf("user type %q is not supported", u.Type)
	}
	if c.Account.ID == "" {
		return nil, "it has no user name"
	}
	return c, ""
}

// ---- Export: Save-AzContext ----

// azBuiltinEndpoints are the well-known endpoints of the built-in clouds
// that azcred does not model but Az's other modules read from a context.
var azBuiltinEndpoints = map[string]struct {
	portal, serviceManagement, sql, storage, graph, trafficManager, keyVault, keyVaultResource, msGraph string
}{
	"AzureCloud": {"https://portal.azure.com", "https://management.core.windows.net/", ".database.windows.net", "core.windows.net",
		"https://graph.windows.net/", "trafficmanager.net", "vault.azure.net", "https://vault.azure.net", "https://graph.microsoft.com/"},
	"AzureChinaCloud": {"https://portal.azure.cn", "https://management.core.chinacloudapi.cn/", ".database.chinacloudapi.cn", "core.chinacloudapi.cn",
		"https://graph.chinacloudapi.cn/", "trafficmanager.cn", "vault.azure.cn", "https://vault.azure.cn", "https://microsoftgraph.chinacloudapi.cn/"},
	"AzureUSGovernment": {"https://portal.azure.us", "https://management.core.usgovcloudapi.net/", ".database.usgovcloudapi.net", "core.usgovcloudapi.net",
		"https://graph.windows.net/", "usgovtrafficmanager.net", "vault.usgovcloudapi.net", "https://vault.usgovcloudapi.net", "https://graph.microsoft.us/"},
}

// SaveAz renders contexts in Az's Save-AzContext format. Every context
// goes under its own name, the first being the DefaultContextKey (the
// shape of Az's AzureRmContext.json, which Import-AzContext reads too), so
// a save and an import keep the context's name; Save-AzContext itself
// writes a single context under "Default", which ParseImport reads as no
// name at all. envs resolves each context's environment (built-in
// or custom); custom ones are also listed in EnvironmentTable. msalCache,
// when non-nil (--with-tokens), goes base64 into every context's
// TokenCache.CacheData; otherwise CacheData is null. Secrets other than
// that cache are never written.
func SaveAz(ctxs []*Context, envs func(name string) (*Environment, error), msalCache []byte) ([]byte, error) {
	if len(ctxs) == 0 {
		return nil, errors.New("store: no context to save")
	}
	var cache *string
	if msalCache != nil {
		s := base64.StdEncoding.EncodeToString(msalCache)
		cache = &s
	}
	p := azProfile{
		EnvironmentTable:   map[string]*azEnvironment{},
		Contexts:           map[string]*azContext{},
		ExtendedProperties: azProps{},
	}
	for i, c := range ctxs {
		key := c.Name
		if reason := badName(key); reason != "" {
			return nil, fmt.Errorf("store: cannot save context %q: %s", c.Name, reason)
		}
		if _, dup := p.Contexts[key]; dup {
			return nil, fmt.Errorf("store: cannot save context %q twice", c.Name)
		}
		envName := c.Environment
		if envName == "" {
			envName = DefaultEnvironment
		}
		env, err := envs(envName)
		if err != nil {
			return nil, fmt.Errorf("store: cannot save context %q: %w", c.Name, err)
		}
		ae := azFromEnvironment(env)
		if ae.Type == azEnvUserDefined {
			p.EnvironmentTable[ae.Name] = ae
		}
		p.Contexts[key] = &azContext{
			Account:            azFromAccount(c),
			Tenant:             &azTenant{ID: c.Tenant, IsHome: true, ExtendedProperties: azProps{}},
			Subscription:       azFromSubscription(c, ae.Name),
			Environment:        ae,
			TokenCache:         &azTokenCache{CacheData: cache},
			ExtendedProperties: azProps{},
		}
		if i == 0 {
			p.DefaultContextKey = &key
		}
	}
	data, err := json.MarshalIndent(&p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("store: encode Az context: %w", err)
	}
	return append(data, '\n'), nil
}

func azFromAccount(c *Context) *azAccount {
	a := c.Account
	props := azProps{}
	props.set("Tenants", strings.Join(a.Tenants, ","))
	props.set("HomeAccountId", a.HomeAccountID)
	props.set("Subscriptions", c.Subscription.ID)
	props.set(azPropCredential, a.Credential)
	props.set(azPropTokenFile, a.FederatedTokenFile)
	// A user-assigned identity's id is its client id already.
	if a.Type != AccountManagedIdentity || a.ClientID != a.ID {
		props.set(azPropClientID, a.ClientID)
	}
	return &azAccount{ID: a.ID, Type: a.Type, TenantMap: map[string]string{}, ExtendedProperties: props}
}

func azFromSubscription(c *Context, env string) *azSubscription {
	if c.Subscription.ID == "" {
		return nil
	}
	props := azProps{}
	props.set("HomeTenant", c.Tenant)
	props.set("Tenants", c.Tenant)
	props.set("Environment", env)
	props.set("Account", c.Account.ID)
	props.set("AuthorizationSource", "RoleBased")
	return &azSubscription{ID: c.Subscription.ID, Name: c.Subscription.Name, State: c.Subscription.State, ExtendedProperties: props}
}

func azFromEnvironment(e *Environment) *azEnvironment {
	ae := &azEnvironment{
		Name:                                     e.Name,
		Type:                                     azEnvUserDefined,
		OnPremise:                                false,
		ActiveDirectoryServiceEndpointResourceID: e.ManagementResource,
		AdTenant:                                 "Common",
		ResourceManagerURL:                       e.ResourceManager,
		ActiveDirectoryAuthority:                 e.Authority,
		ContainerRegistryEndpointSuffix:          e.RegistrySuffix,
		VersionProfiles:                          []string{},
		ExtendedProperties:                       azProps{},
	}
	canon, builtin := builtinName(e.Name)
	if !builtin {
		return ae
	}
	ae.Name, ae.Type = canon, azEnvBuiltIn
	w := azBuiltinEndpoints[canon]
	ae.ManagementPortalURL = w.portal
	ae.ServiceManagementURL = w.serviceManagement
	ae.SQLDatabaseDNSSuffix = w.sql
	ae.StorageEndpointSuffix = w.storage
	ae.GraphURL = w.graph
	ae.GraphEndpointResourceID = w.graph
	ae.TrafficManagerDNSSuffix = w.trafficManager
	ae.AzureKeyVaultDNSSuffix = w.keyVault
	ae.AzureKeyVaultServiceEndpointResourceID = w.keyVaultResource
	ae.ExtendedProperties.set("MicrosoftGraphUrl", strings.TrimSuffix(w.msGraph, "/"))
	ae.ExtendedProperties.set("MicrosoftGraphEndpointResourceId", w.msGraph)
	return ae
}
