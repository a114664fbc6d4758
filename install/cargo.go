package install

// cargo finds credential providers in its config
// (https://doc.rust-lang.org/cargo/reference/registry-authentication.html):
// registries.NAME.credential-provider for one registry, or
// registry.global-credential-providers for every registry that has none
// (later entries are asked first; a provider that answers
// url-not-supported passes the request on). We add our setting under a
// marker comment (see marked.go) and never edit a value the user set: for
// an existing global list we say what to add instead.

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// CargoOptions say which cargo setting to write.
type CargoOptions struct {
	ConfigFile string // cargo's user config (CargoConfigPath)
	Registry   string // registries.NAME; "" for the global provider list
	Command    string // the provider command, "azcred cargo"
	Uninstall  bool
}

const cargoMarker = "# added by azcred install cargo; azcred install cargo --uninstall removes it"

// CargoConfigPath is $CARGO_HOME/config.toml (~/.cargo/config.toml), or
// the older config without extension when only that exists.
func CargoConfigPath(env func(string) string) string {
	dir := env("CARGO_HOME")
	if dir == "" {
		dir = filepath.Join(userHome(env), ".cargo")
	}
	p := filepath.Join(dir, "config.toml")
	if _, err := os.Stat(p); err != nil {
		if _, err := os.Stat(filepath.Join(dir, "config")); err == nil {
			return filepath.Join(dir, "config")
		}
	}
	return p
}

// InstallCargo adds (or with Uninstall removes) azcred as a credential
// provider. userSet is the user's own setting of the key when there is
// one (nothing is written then).
func InstallCargo(opts CargoOptions) (changes []Change, userSet string, err error) {
	section, key, value := "registry", "global-credential-providers", ""
	if opts.Registry != "" {
		if !validRegistryName(opts.Registry) {
			return nil, "", fmt.Errorf("install: %q is not a cargo registry name", opts.Registry)
		}
		section, key, value = "registries."+opts.Registry, "credential-provider", strconv.Quote(opts.Command)
	} else {
		// cargo:token first keeps CARGO_REGISTRIES_*_TOKEN working for the
		// registries azcred passes on.
		value = `["cargo:token", ` + strconv.Quote(opts.Command) + `]`
	}
	f, err := readMarked(opts.ConfigFile, section, key, cargoMarker)
	if err != nil {
		return nil, "", err
	}
	if opts.Uninstall {
		changes, err = f.remove(section, key)
		return changes, "", err
	}
	if f.userSet != "" {
		return nil, f.userSet, nil
	}
	if f.ours < 0 && f.header < 0 && opts.Registry != "" && definesInline(f.lines, opts.Registry) {
		return nil, "", fmt.Errorf("install: %s defines registry %s inline; add credential-provider = %s to it by hand",
			opts.ConfigFile, opts.Registry, value)
	}
	changes, err = f.add(section, key, value)
	return changes, "", err
}

// validRegistryName accepts what cargo accepts as a registry name (a
// package-name-like identifier), so it is safe in a TOML table header.
func validRegistryName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// definesInline reports a registry written as "NAME = {...}" or
// "NAME.index = ..." under [registries], or "registries.NAME..." at the
// top: a [registries.NAME] table added beside it would be invalid TOML.
func definesInline(lines []string, name string) bool {
	section := ""
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") {
			section = normName(strings.Trim(t, "[]"))
			continue
		}
		k, _, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k = normName(k)
		n := normName(name)
		if section == "registries" && (k == n || strings.HasPrefix(k, n+".")) || section == "" && strings.HasPrefix(k, "registries."+n) {
			return true
		}
	}
	return false
}
