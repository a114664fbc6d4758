package main

// The Docker credential helper
// (https://github.com/docker/docker-credential-helpers#development):
// get/erase read a server URL on stdin, store reads {"ServerURL",
// "Username","Secret"}, list prints {"url":"user"}, and every failure is
// the message on stdout with exit 1. A host that is neither an ACR of the
// environment nor bound gets exactly "credentials not found in native
// keychain" so clients fall through to anonymous or another helper.

import (
	"errors"
	"fmt"
	"sort"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/protocols"
	"github.com/azcred/azcred/store"
)

// DockerCmd is `azcred docker ACTION` (docker runs docker-credential-azcred ACTION).
type DockerCmd struct {
	Context string   `help:"Context to use." predictor:"context"`
	Action  string   `arg:"" optional:"" help:"get, store, erase, list or version."`
	Rest    []string `arg:"" optional:"" hidden:""`
}

func (c *DockerCmd) Run(a *app) error {
	var err error
	switch protocols.ParseDockerAction(c.Action) {
	case protocols.DockerGet:
		err = c.get(a)
	case protocols.DockerStore:
		err = c.store(a)
	case protocols.DockerErase:
		err = c.erase(a)
	case protocols.DockerList:
		err = c.list(a)
	case protocols.DockerVersion:
		return protocols.WriteDockerVersion(a.stdout, "docker-credential-azcred", "github.com/azcred/azcred", buildVersion().Version)
	default:
		err = fmt.Errorf("unknown credential action %q", c.Action)
	}
	if err == nil {
		return nil
	}
	// The protocol's failure shape: the message on stdout, exit 1; the
	// hint (and any detail) on stderr for humans.
	protocols.WriteDockerError(a.stdout, err)
	if !errors.Is(err, protocols.ErrNotFound) {
		report(a.stderr, err)
	}
	return exitCode(1)
}

// ours resolves the context for host when host is an ACR of the
// context's environment or a bound target; ok is false otherwise.
func (c *DockerCmd) ours(a *app, host string) (*helper.Resolved, bool, error) {
	p, l, err := a.load()
	if err != nil {
		return nil, false, err
	}
	r, err := p.Resolve(l, helper.Request{Target: host, Context: c.Context,
		DefaultScope: func(*store.Environment) string { return helper.RegistryScope }})
	if err != nil {
		if errors.Is(err, helper.ErrNoContext) && !anyRegistrySuffix(l, host) {
			return nil, false, nil // not an Azure registry, and nothing to sign in with
		}
		return nil, false, err
	}
	if r.Binding != nil || helper.IsRegistryOf(host, r.Env) {
		return r, true, nil
	}
	return nil, false, nil
}

func anyRegistrySuffix(l *helper.Loaded, host string) bool {
	for _, e := range l.User.AllEnvironments() {
		if helper.IsRegistryOf(host, &e) {
			return true
		}
	}
	return false
}

func (c *DockerCmd) get(a *app) error {
	raw, err := protocols.ReadServerURL(a.stdin)
	if err != nil {
		return err
	}
	host, err := protocols.NormalizeRegistry(raw)
	if err != nil {
		return err
	}
	r, ok, err := c.ours(a, host)
	if err != nil {
		return err
	}
	if !ok {
		return c.stored(a, host)
	}
	a.debugf("docker: %s → context %q (%s)", host, r.Context.Name, r.Source)
	e, err := a.engine(a.profile)
	if err != nil {
		return err
	}
	tok, err := e.RegistryToken(ctxBackground(), r, host)
	if err != nil {
		return err
	}
	return protocols.WriteCredentials(a.stdout, protocols.DockerCredentials{ServerURL: host, Username: helper.RegistryUser, Secret: tok.AccessToken})
}

// stored answers from credentials a user stored (docker login with credsStore).
func (c *DockerCmd) stored(a *app, host string) error {
	p, err := a.Profile()
	if err != nil {
		return err
	}
	sec, err := p.User.Secrets()
	if err != nil {
		return err
	}
	cred, ok := sec.Docker[host]
	if !ok {
		a.debugf("docker: %s is not ours and has no stored credentials", host)
		return protocols.ErrNotFound
	}
	return protocols.WriteCredentials(a.stdout, protocols.DockerCredentials{ServerURL: host, Username: cred.Username, Secret: cred.Secret})
}

func (c *DockerCmd) store(a *app) error {
	creds, err := protocols.ReadCredentials(a.stdin)
	if err != nil {
		return err
	}
	host, err := protocols.NormalizeRegistry(creds.ServerURL)
	if err != nil {
		return err
	}
	if _, ok, _ := c.ours(a, host); ok {
		a.debugf("docker store: %s is ours; azcred mints its own tokens", host)
		return nil
	}
	p, _ := a.Profile()
	err = p.User.UpdateSecrets(func(sec *store.Secrets) error {
		sec.Docker[host] = store.DockerCredential{Username: creds.Username, Secret: creds.Secret}
		return nil
	})
	if errors.Is(err, store.ErrNotSaved) {
		return nil
	}
	return err
}

func (c *DockerCmd) erase(a *app) error {
	raw, err := protocols.ReadServerURL(a.stdin)
	if err != nil {
		return err
	}
	host, err := protocols.NormalizeRegistry(raw)
	if err != nil {
		return err
	}
	p, err := a.Profile()
	if err != nil {
		return err
	}
	err = p.User.UpdateSecrets(func(sec *store.Secrets) error {
		delete(sec.Docker, host)
		for k := range sec.Registries {
			if registryHostOfKey(k) == host {
				delete(sec.Registries, k)
			}
		}
		return nil
	})
	if errors.Is(err, store.ErrNotSaved) {
		return nil
	}
	return err
}

func registryHostOfKey(k string) string {
	for i := len(k) - 1; i >= 0; i-- {
		if k[i] == '|' {
			return k[i+1:]
		}
	}
	return k
}

func (c *DockerCmd) list(a *app) error {
	p, err := a.Profile()
	if err != nil {
		return err
	}
	sec, err := p.User.Secrets()
	if err != nil {
		return err
	}
	out := map[string]string{}
	for host, cred := range sec.Docker {
		out[host] = cred.Username
	}
	keys := make([]string, 0, len(sec.Registries))
	for k := range sec.Registries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out[registryHostOfKey(k)] = helper.RegistryUser
	}
	return protocols.WriteList(a.stdout, out)
}
