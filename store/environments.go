package store

import (
	"net/url"
	"sort"
	"strings"
)

// Environment is an Azure cloud: where to sign in, where Resource Manager
// is, the audience of Resource Manager tokens and the suffix of its
// container registries. JSON names follow Az's PSAzureEnvironment.
type Environment struct {
	Name               string `json:"name"`
	Authority          string `json:"activeDirectoryAuthority"`
	ResourceManager    string `json:"resourceManagerUrl"`
	ManagementResource string `json:"activeDirectoryServiceEndpointResourceId"`
	RegistrySuffix     string `json:"containerRegistryEndpointSuffix,omitempty"`
	BuiltIn            bool   `json:"-"`
}

// DefaultManagementResource is the Resource Manager audience Az uses for a
// custom environment added without one.
const DefaultManagementResource = "https://management.core.windows.net/"

// DefaultEnvironment is the environment of contexts that name none.
const DefaultEnvironment = "AzureCloud"

var builtins = []Environment{
	{Name: "AzureCloud", Authority: "https://login.microsoftonline.com/", ResourceManager: "https://management.azure.com/",
		ManagementResource: "https://management.core.windows.net/", RegistrySuffix: "azurecr.io", BuiltIn: true},
	{Name: "AzureChinaCloud", Authority: "https://login.chinacloudapi.cn/", ResourceManager: "https://management.chinacloudapi.cn/",
		ManagementResource: "https://management.core.chinacloudapi.cn/", RegistrySuffix: "azurecr.cn", BuiltIn: true},
	{Name: "AzureUSGovernment", Authority: "https://login.microsoftonline.us/", ResourceManager: "https://management.usgovcloudapi.net/",
		ManagementResource: "https://management.core.usgovcloudapi.net/", RegistrySuffix: "azurecr.us", BuiltIn: true},
}

// Environment returns the named environment, built-in or custom; names
// are case-insensitive as in Az. An empty name is AzureCloud.
func (c *Config) Environment(name string) (*Environment, error) {
	if name == "" {
		name = DefaultEnvironment
	}
	for i := range builtins {
		if strings.EqualFold(builtins[i].Name, name) {
			e := builtins[i]
			return &e, nil
		}
	}
	for n, e := range c.Environments {
		if strings.EqualFold(n, name) {
			cp := *e
			cp.Name = n
			return &cp, nil
		}
	}
	return nil, &NotFoundError{Kind: "environment", Name: name}
}

// AllEnvironments lists built-ins first, then custom ones by name.
func (c *Config) AllEnvironments() []Environment {
	out := append([]Environment(nil), builtins...)
	names := make([]string, 0, len(c.Environments))
	for n := range c.Environments {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		e := *c.Environments[n]
		e.Name = n
		out = append(out, e)
	}
	return out
}

// IsBuiltinEnvironment reports whether name is one of Azure's clouds.
func IsBuiltinEnvironment(name string) bool {
	for _, b := range builtins {
		if strings.EqualFold(b.Name, name) {
			return true
		}
	}
	return false
}

// Validate checks a custom environment before it is saved.
func (e *Environment) Validate() error {
	if strings.TrimSpace(e.Name) == "" {
		return ErrEmptyName
	}
	for _, u := range []struct{ what, v string }{{"--authority", e.Authority}, {"--resource-manager", e.ResourceManager}} {
		p, err := url.Parse(u.v)
		if err != nil || p.Scheme != "https" || p.Host == "" {
			return &InvalidError{What: u.what, Value: u.v, Want: "an https URL"}
		}
	}
	return nil
}

// IsMicrosoftAuthority reports whether the authority is one of Microsoft's
// public or sovereign login hosts. Only those get instance discovery.
func (e *Environment) IsMicrosoftAuthority() bool {
	u, err := url.Parse(e.Authority)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Hostname()) {
	case "login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn",
		"login.microsoft.com", "login.windows.net", "login.partner.microsoftonline.cn", "login.microsoftonline.de":
		return true
	}
	return false
}

// InvalidError is a value that has the wrong shape.
type InvalidError struct{ What, Value, Want string }

func (e *InvalidError) Error() string {
	return e.What + ": " + quoteShort(e.Value) + " is not " + e.Want
}

func quoteShort(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return `"` + s + `"`
}
