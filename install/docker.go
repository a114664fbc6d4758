package install

// docker (and crane, skopeo, podman, oras, helm, which read the same file) find a
// credential helper in config.json: credHelpers maps a registry host to a helper name
// and credsStore names the helper for every other registry; the client then runs
// docker-credential-<name>. https://docs.docker.com/reference/cli/docker/login/#credential-helpers
//
// We own only entries whose value is our helper's name; every other key and value of
// the file is kept as it was, in its order.

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/azcred/azcred/protocols"
)

// DockerOptions says which registries get azcred as their credential helper.
type DockerOptions struct {
	Registries []string // registry hosts; URLs and host/repo are accepted and normalised
	CredsStore bool     // also make azcred the default store (credsStore) for all registries
	Helper     string   // the helper name; docker runs docker-credential-<Helper>; default "azcred"
	Uninstall  bool     // remove our entries instead (all of them when Registries is empty)
}

// ErrNotDockerConfig is returned for a config.json that docker could not read either.
var ErrNotDockerConfig = errors.New("not a docker config file")

// DockerConfigPath is the config.json docker uses: $DOCKER_CONFIG/config.json, else
// ~/.docker/config.json. env is os.Getenv in production.
func DockerConfigPath(env func(string) string) string {
	if dir := env("DOCKER_CONFIG"); dir != "" {
		return filepath.Join(dir, "config.json")
	}
	return filepath.Join(userHome(env), ".docker", "config.json")
}

// NormaliseRegistry turns what a user may type (https://Contoso.azurecr.io/v2/repo) into
// the key docker looks up in credHelpers (contoso.azurecr.io): the docker protocol's
// own normaliser (protocols.NormalizeRegistry), so install, bind and get agree.
func NormaliseRegistry(s string) (string, error) {
	host, err := protocols.NormalizeRegistry(strings.TrimSpace(s))
	if err != nil {
		return "", fmt.Errorf("install: not a registry host: %w", err)
	}
	return host, nil
}

// InstallDocker adds (or with Uninstall removes) azcred's entries in the docker config at
// configPath, creating it (0600, in a 0700 directory) when missing. It writes atomically
// with a backup (see atomic.go) and only when something changed. A file that is not a
// JSON object is reported with its path and left alone.
func InstallDocker(configPath string, opts DockerOptions) ([]Change, error) {
	helper := cmp.Or(opts.Helper, "azcred")
	var hosts []string
	for _, r := range opts.Registries {
		h, err := NormaliseRegistry(r)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	if !opts.Uninstall && len(hosts) == 0 && !opts.CredsStore {
		return nil, errors.New("install: no registry given; name one or more registries, or make azcred the credential store")
	}

	in, err := readConfigFile(configPath)
	if errors.Is(err, fs.ErrNotExist) {
		if opts.Uninstall {
			return nil, nil
		}
		in, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("install: %w", err)
	}
	cfg, helpers, err := parseDockerConfig(in)
	if err != nil {
		return nil, fmt.Errorf("install: %s: %w", configPath, err)
	}

	var changes []Change
	change := func(key, old, new string) {
		changes = append(changes, Change{File: configPath, Key: key, Old: old, New: new})
	}
	emptied := false // we removed the last entry of credHelpers
	if opts.Uninstall {
		for _, h := range slices.Clone(helpers.keys) {
			if stringValue(helpers.vals[h]) == helper && (len(hosts) == 0 || slices.Contains(hosts, h)) {
				helpers.delete(h)
				emptied = helpers.len() == 0
				change("credHelpers."+h, strconv.Quote(helper), "")
			}
		}
		if v, ok := cfg.get("credsStore"); ok && stringValue(v) == helper && (opts.CredsStore || len(hosts) == 0) {
			cfg.delete("credsStore")
			change("credsStore", strconv.Quote(helper), "")
		}
	} else {
		value, _ := marshalNoEscape(helper)
		for _, h := range hosts {
			old, ok := helpers.get(h)
			if !ok || stringValue(old) != helper {
				helpers.set(h, value)
				change("credHelpers."+h, rawLabel(old), strconv.Quote(helper))
			}
		}
		if old, ok := cfg.get("credsStore"); opts.CredsStore && (!ok || stringValue(old) != helper) {
			cfg.set("credsStore", value)
			change("credsStore", rawLabel(old), strconv.Quote(helper))
		}
	}
	if len(changes) == 0 {
		return nil, nil
	}
	switch {
	case helpers.len() > 0:
		b, err := helpers.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("install: %w", err)
		}
		cfg.set("credHelpers", b)
	case emptied:
		// credHelpers held nothing but ours: an empty object means nothing to docker.
		cfg.delete("credHelpers")
	}
	out, err := cfg.indented()
	if err != nil {
		return nil, fmt.Errorf("install: %w", err)
	}
	if _, err := writeConfig(configPath, out); err != nil {
		return nil, fmt.Errorf("install: write %s: %w", configPath, err)
	}
	return changes, nil
}

// parseDockerConfig reads config.json and its credHelpers. Empty input is an empty
// config, as docker reads it.
func parseDockerConfig(in []byte) (cfg, helpers *jsonObject, err error) {
	cfg = &jsonObject{vals: map[string]json.RawMessage{}}
	if len(bytes.TrimSpace(in)) > 0 {
		if cfg, err = parseObject(in); err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrNotDockerConfig, err)
		}
	}
	helpers = &jsonObject{vals: map[string]json.RawMessage{}}
	if raw, ok := cfg.get("credHelpers"); ok && string(raw) != "null" {
		if helpers, err = parseObject(raw); err != nil {
			return nil, nil, fmt.Errorf("%w: credHelpers: %v", ErrNotDockerConfig, err)
		}
	}
	return cfg, helpers, nil
}

// stringValue is the JSON string in raw, or "" when raw is not a string.
func stringValue(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// rawLabel shows an old value in a change: absent is "", a string is quoted.
func rawLabel(raw json.RawMessage) string {
	if raw == nil {
		return ""
	}
	if s := stringValue(raw); s != "" {
		return strconv.Quote(s)
	}
	return string(raw)
}
