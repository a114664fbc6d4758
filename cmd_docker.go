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
// context's environment or a bound target; ok is false otherwise. A host
// that is neither bound nor under any environment's registry suffix is
// never ours, even when resolution fails (a stale AZCRED_CONTEXT must not
// break pulls from Docker Hub through credsStore).
func (c *DockerCmd) ours(a *app, host string) (*helper.Resolved, bool, error) {
	p, l, err := a.load()
	if err != nil {
		return nil, false, err
	}
	// A bound host is ours even when --context or AZCRED_CONTEXT picks
	// another context than the binding's: they only choose who signs in.
	bound := l.MatchBinding(host) != nil
	r, err := p.Resolve(l, helper.Request{Target: host, Context: c.Context,
		DefaultScope: func(*store.Environment) string { return helper.RegistryScope }})
	if err != nil {
		if !bound && !anyRegistrySuffix(l, host) {
			a.debugf("docker: %s is not an Azure registry (%v)", host, err)
			return nil, false, nil
		}
		return nil, false, err
	}
	if bound || helper.IsRegistryOf(host, r.Env) {
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

// readRegistry reads get's and erase's server URL and normalises it to a host.
func readRegistry(a *app) (string, error) {
	raw, err := protocols.ReadServerURL(a.stdin)
	if err != nil {
		return "", err
	}
	return protocols.NormalizeRegistry(raw)
}

func (c *DockerCmd) get(a *app) error {
	host, err := readRegistry(a)
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

// dockerStores are the stores whose vaults hold docker credentials and
// ACR refresh tokens: the session store first, when there is one.
func dockerStores(p *helper.Profile) []*store.Store {
	if p.Session != nil {
		return []*store.Store{p.Session, p.User}
	}
	return []*store.Store{p.User}
}

// stored answers from credentials a user stored (docker login with credsStore).
func (c *DockerCmd) stored(a *app, host string) error {
	p, err := a.Profile()
	if err != nil {
		return err
	}
	for _, s := range dockerStores(p) {
		sec, err := s.Secrets()
		if err != nil {
			return err
		}
		if cred, ok := sec.Docker[host]; ok {
			return protocols.WriteCredentials(a.stdout, protocols.DockerCredentials{ServerURL: host, Username: cred.Username, Secret: cred.Secret})
		}
	}
	a.debugf("docker: %s is not ours and has no stored credentials", host)
	return protocols.ErrNotFound
}

// store keeps what `docker login` hands us for a registry that is not
// ours; for ours it is a no-op, since azcred mints its own tokens.
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
	p, err := a.Profile()
	if err != nil {
		return err
	}
	s := p.Writable()
	err = s.UpdateSecrets(func(sec *store.Secrets) error {
		if sec.Docker == nil {
			sec.Docker = map[string]store.DockerCredential{}
		}
		sec.Docker[host] = store.DockerCredential{Username: creds.Username, Secret: creds.Secret}
		return nil
	})
	if errors.Is(err, store.ErrNotSaved) {
		a.notef("autosave is off: the credentials for %s were not saved", host)
		return nil
	}
	return err
}

// erase drops stored credentials and cached ACR refresh tokens for the
// host, in every store.
func (c *DockerCmd) erase(a *app) error {
	host, err := readRegistry(a)
	if err != nil {
		return err
	}
	p, err := a.Profile()
	if err != nil {
		return err
	}
	for _, s := range dockerStores(p) {
		err := s.UpdateSecrets(func(sec *store.Secrets) error {
			delete(sec.Docker, host)
			helper.ForgetRegistry(sec, host)
			return nil
		})
		if errors.Is(err, store.ErrNotSaved) {
			a.notef("autosave is off: nothing was erased for %s", host)
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// list shows stored credentials and the registries azcred holds a refresh
// token for; the session store wins for a host in both.
func (c *DockerCmd) list(a *app) error {
	p, err := a.Profile()
	if err != nil {
		return err
	}
	out := map[string]string{}
	stores := dockerStores(p)
	for i := len(stores) - 1; i >= 0; i-- {
		sec, err := stores[i].Secrets()
		if err != nil {
			return err
		}
		for host, cred := range sec.Docker {
			out[host] = cred.Username
		}
		for _, host := range helper.CachedRegistries(sec) {
			out[host] = helper.RegistryUser
		}
	}
	return protocols.WriteList(a.stdout, out)
}
