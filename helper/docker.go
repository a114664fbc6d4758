package helper

// The Docker credential helper's flow
// (https://github.com/docker/docker-credential-helpers#development):
// get/erase read a server URL on stdin, store reads {"ServerURL",
// "Username","Secret"}, list prints {"url":"user"}. Its failure shape:
// the message on stdout and exit 1, the hint (and any detail) on stderr
// for humans. A host that is neither an ACR of the environment nor bound
// gets exactly "credentials not found in native keychain" so clients fall
// through to anonymous or another helper.

import (
	"context"
	"errors"
	"fmt"

	"github.com/azcred/azcred/protocols"
	"github.com/azcred/azcred/store"
)

// DockerRequest is docker's argument and the helper's command line.
type DockerRequest struct {
	Action  string
	Context string
	// Version is what the version action reports.
	Version string
}

// Docker answers one docker request. On failure it has written the
// protocol's message on stdout; it returns the error for the CLI to
// explain on stderr, or ExitStatus(1) when there is nothing to explain.
func (c *Call) Docker(ctx context.Context, req DockerRequest) error {
	var err error
	switch protocols.ParseDockerAction(req.Action) {
	case protocols.DockerGet:
		err = c.dockerGet(ctx, req)
	case protocols.DockerStore:
		err = c.dockerStore(req)
	case protocols.DockerErase:
		err = c.dockerErase()
	case protocols.DockerList:
		err = c.dockerList()
	case protocols.DockerVersion:
		return protocols.WriteDockerVersion(c.Stdout, "docker-credential-azcred", "github.com/azcred/azcred", req.Version)
	default:
		err = fmt.Errorf("unknown credential action %q", req.Action)
	}
	if err == nil {
		return nil
	}
	protocols.WriteDockerError(c.Stdout, err)
	if errors.Is(err, protocols.ErrNotFound) {
		return ExitStatus(1)
	}
	return err
}

// dockerOurs resolves the context for host when host is an ACR of the
// context's environment or a bound target; ok is false otherwise. A host
// that is neither bound nor under any environment's registry suffix is
// never ours, even when resolution fails (a stale AZCRED_CONTEXT must not
// break pulls from Docker Hub through credsStore).
func (c *Call) dockerOurs(host, pinned string) (*Resolved, bool, error) {
	p, l, err := c.Load()
	if err != nil {
		return nil, false, err
	}
	// A bound host is ours even when --context or AZCRED_CONTEXT picks
	// another context than the binding's: they only choose who signs in.
	bound := l.MatchBinding(host) != nil
	r, err := p.Resolve(l, Request{Target: host, Context: pinned,
		DefaultScope: func(*store.Environment) string { return RegistryScope }})
	if err != nil {
		if !bound && !anyRegistrySuffix(l, host) {
			c.debugf("docker: %s is not an Azure registry (%v)", host, err)
			return nil, false, nil
		}
		return nil, false, err
	}
	if bound || IsRegistryOf(host, r.Env) {
		return r, true, nil
	}
	return nil, false, nil
}

// ServesRegistry reports whether azcred would answer for host: bound, or
// under an environment's registry suffix.
func ServesRegistry(l *Loaded, host string) bool {
	return l.MatchBinding(host) != nil || anyRegistrySuffix(l, host)
}

func anyRegistrySuffix(l *Loaded, host string) bool {
	for _, e := range l.User.AllEnvironments() {
		if IsRegistryOf(host, &e) {
			return true
		}
	}
	return false
}

// readRegistry reads get's and erase's server URL and normalises it to a host.
func (c *Call) readRegistry() (string, error) {
	raw, err := protocols.ReadServerURL(c.Stdin)
	if err != nil {
		return "", err
	}
	return protocols.NormalizeRegistry(raw)
}

func (c *Call) dockerGet(ctx context.Context, req DockerRequest) error {
	host, err := c.readRegistry()
	if err != nil {
		return err
	}
	r, ok, err := c.dockerOurs(host, req.Context)
	if err != nil {
		return err
	}
	if !ok {
		return c.dockerStored(host)
	}
	c.debugf("docker: %s → context %q (%s)", host, r.Context.Name, r.Source)
	e, err := c.Engine()
	if err != nil {
		return err
	}
	tok, err := e.RegistryToken(ctx, r, host)
	if err != nil {
		return err
	}
	return protocols.WriteCredentials(c.Stdout, protocols.DockerCredentials{ServerURL: host, Username: RegistryUser, Secret: tok.AccessToken})
}

// dockerStores are the stores whose vaults hold docker credentials and
// ACR refresh tokens: the session store first, when there is one.
func dockerStores(p *Profile) []*store.Store {
	if p.Session != nil {
		return []*store.Store{p.Session, p.User}
	}
	return []*store.Store{p.User}
}

// dockerStored answers from credentials a user stored (docker login with credsStore).
func (c *Call) dockerStored(host string) error {
	p, err := c.Profile()
	if err != nil {
		return err
	}
	for _, s := range dockerStores(p) {
		sec, err := s.Secrets()
		if err != nil {
			return err
		}
		if cred, ok := sec.Docker[host]; ok {
			return protocols.WriteCredentials(c.Stdout, protocols.DockerCredentials{ServerURL: host, Username: cred.Username, Secret: cred.Secret})
		}
	}
	c.debugf("docker: %s is not ours and has no stored credentials", host)
	return protocols.ErrNotFound
}

// dockerStore keeps what `docker login` hands us for a registry that is
// not ours; for ours it is a no-op, since azcred mints its own tokens.
func (c *Call) dockerStore(req DockerRequest) error {
	creds, err := protocols.ReadCredentials(c.Stdin)
	if err != nil {
		return err
	}
	host, err := protocols.NormalizeRegistry(creds.ServerURL)
	if err != nil {
		return err
	}
	if _, ok, _ := c.dockerOurs(host, req.Context); ok {
		c.debugf("docker store: %s is ours; azcred mints its own tokens", host)
		return nil
	}
	p, err := c.Profile()
	if err != nil {
		return err
	}
	err = p.Writable().UpdateSecrets(func(sec *store.Secrets) error {
		if sec.Docker == nil {
			sec.Docker = map[string]store.DockerCredential{}
		}
		sec.Docker[host] = store.DockerCredential{Username: creds.Username, Secret: creds.Secret}
		return nil
	})
	if errors.Is(err, store.ErrNotSaved) {
		c.Notef("autosave is off: the credentials for %s were not saved", host)
		return nil
	}
	return err
}

// dockerErase drops stored credentials and cached ACR refresh tokens for
// the host, in every store.
func (c *Call) dockerErase() error {
	host, err := c.readRegistry()
	if err != nil {
		return err
	}
	p, err := c.Profile()
	if err != nil {
		return err
	}
	for _, s := range dockerStores(p) {
		err := s.UpdateSecrets(func(sec *store.Secrets) error {
			delete(sec.Docker, host)
			ForgetRegistry(sec, host)
			return nil
		})
		if errors.Is(err, store.ErrNotSaved) {
			c.Notef("autosave is off: nothing was erased for %s", host)
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// dockerList shows stored credentials and the registries azcred holds a
// refresh token for; the session store wins for a host in both.
func (c *Call) dockerList() error {
	p, err := c.Profile()
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
		for _, host := range CachedRegistries(sec) {
			out[host] = RegistryUser
		}
	}
	return protocols.WriteList(c.Stdout, out)
}
