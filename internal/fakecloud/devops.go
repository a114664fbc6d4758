package fakecloud

// The fake Azure DevOps git host. It serves real repositories through
// `git http-backend`, so the real git client talks to it exactly as it talks
// to dev.azure.com, and it refuses every request that does not carry an Entra
// access token for Azure DevOps issued in the organization's tenant.
//
// The 401 reply copies what dev.azure.com sends: a Bearer challenge naming
// the tenant's authority, a Basic challenge, and X-VSS-ResourceTenant (which
// credential helpers read to pick a tenant).

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// DevOpsResource is the Entra application ID of Azure DevOps: the audience of
// the tokens the fake git host accepts.
const DevOpsResource = "499b84ac-1321-427f-aa17-267ca6975798"

// DevOps is a running fake Azure DevOps git host. Every request counts under
// "git"; every request refused for want of a valid token counts under
// "git-401" as well. Note that git always probes anonymously first, so even
// a successful git command adds one to "git-401".
type DevOps struct {
	URL  string // https://127.0.0.1:PORT
	Host string // 127.0.0.1:PORT

	cloud   *Cloud
	root    string // GIT_PROJECT_ROOT: {root}/{org}/{project}/{repo}.git
	backend string // path of git-http-backend

	mu    sync.Mutex
	orgs  map[string]string   // lower-case org -> tenant
	repos map[string][]string // lower-case org -> "project/repo" (lower-case) in order of creation
}

// StartDevOps starts the fake Azure DevOps git host.
func (c *Cloud) StartDevOps() (*DevOps, error) {
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		return nil, fmt.Errorf("fakecloud: devops: find git: %w", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		return nil, fmt.Errorf("fakecloud: devops: %w", err)
	}
	root, err := os.MkdirTemp(c.Dir(), "devops-")
	if err != nil {
		return nil, fmt.Errorf("fakecloud: devops: %w", err)
	}
	d := &DevOps{
		cloud:   c,
		root:    root,
		backend: backend,
		orgs:    map[string]string{},
		repos:   map[string][]string{},
	}
	srv, err := c.Serve("git", d)
	if err != nil {
		return nil, fmt.Errorf("fakecloud: devops: %w", err)
	}
	d.URL, d.Host = srv.URL, srv.Host
	return d, nil
}

// AddRepo creates a bare repository seeded with one commit (a README on
// branch main) and returns its clone URL, https://HOST/{org}/{project}/_git/{repo}.
// The org is bound to tenant on first use; binding it to another tenant later
// is an error. Names are matched case-insensitively, as Azure DevOps does.
func (d *DevOps) AddRepo(org, project, repo, tenant string) (string, error) {
	for _, s := range []string{org, project, repo} {
		if s == "" || strings.ContainsAny(s, "/\\") || s == "." || s == ".." || strings.HasPrefix(s, "_") {
			return "", fmt.Errorf("fakecloud: devops: bad name %q", s)
		}
	}
	key := strings.ToLower(project + "/" + repo)
	lorg := strings.ToLower(org)

	d.mu.Lock()
	defer d.mu.Unlock()
	if t, ok := d.orgs[lorg]; ok && t != tenant {
		return "", fmt.Errorf("fakecloud: devops: org %s already belongs to tenant %s", org, t)
	}
	for _, k := range d.repos[lorg] {
		if k == key {
			return "", fmt.Errorf("fakecloud: devops: repo %s/%s/%s exists", org, project, repo)
		}
	}
	if err := seedBareRepo(filepath.Join(d.root, lorg, key+".git")); err != nil {
		return "", fmt.Errorf("fakecloud: devops: %w", err)
	}
	d.orgs[lorg] = tenant
	d.repos[lorg] = append(d.repos[lorg], key)
	return d.URL + "/" + org + "/" + project + "/_git/" + repo, nil
}

// ServeHTTP authenticates the request against the org's tenant and hands git
// paths to git http-backend.
func (d *DevOps) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	org, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	d.mu.Lock()
	tenant, ok := d.orgs[strings.ToLower(org)]
	d.mu.Unlock()
	if !ok {
		http.Error(w, "organization not found", http.StatusNotFound)
		return
	}
	claims, err := d.authenticate(r, tenant)
	if err != nil {
		d.cloud.Hit("git-401")
		d.challenge(w, tenant, err)
		return
	}
	repoDir, tail, ok := d.route(strings.ToLower(org), rest)
	if !ok {
		if rest == "" {
			// An authenticated look at the org itself, as credential
			// helpers do to discover the tenant.
			w.Header().Set("X-VSS-ResourceTenant", tenant)
			w.WriteHeader(http.StatusOK)
			return
		}
		http.Error(w, "repository not found", http.StatusNotFound)
		return
	}
	user := claims.UPN
	if user == "" {
		user = claims.ObjectID
	}
	if user == "" {
		user = claims.AppID
	}
	h := &cgi.Handler{
		Path: d.backend,
		Root: "/",
		Dir:  d.root,
		Env: []string{
			"GIT_PROJECT_ROOT=" + d.root,
			"GIT_HTTP_EXPORT_ALL=1",
			// http-backend enables receive-pack only for an authenticated
			// user; the repos also set http.receivepack to be sure.
			"REMOTE_USER=" + user,
			"GIT_CONFIG_NOSYSTEM=1",
			"GIT_CONFIG_GLOBAL=" + os.DevNull,
			"HOME=" + d.root,
		},
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/" + repoDir + tail
	r2.URL.RawPath = ""
	h.ServeHTTP(w, r2)
}

// authenticate accepts an access token for Azure DevOps issued in tenant,
// sent as the password of HTTP Basic (any user name) or as a Bearer token.
func (d *DevOps) authenticate(r *http.Request, tenant string) (*Claims, error) {
	token := ""
	// Counted by scheme, so scripts can tell git 2.39's Basic from the
	// Bearer that git >= 2.46 sends for an authtype=Bearer credential.
	if _, pw, ok := r.BasicAuth(); ok {
		token = pw
		d.cloud.Hit("git-basic")
	} else if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		token = strings.TrimSpace(t)
		d.cloud.Hit("git-bearer")
	}
	if token == "" {
		return nil, errors.New("no credentials")
	}
	claims, err := d.cloud.Verify(token, DevOpsResource)
	if err != nil {
		return nil, err
	}
	if claims.Tenant != tenant {
		return nil, errors.New("token is for another tenant")
	}
	return claims, nil
}

// challenge writes the 401 dev.azure.com sends to an unauthenticated client.
func (d *DevOps) challenge(w http.ResponseWriter, tenant string, reason error) {
	h := w.Header()
	h.Add("WWW-Authenticate", "Bearer authorization_uri="+d.cloud.AuthorityURL+"/"+tenant)
	h.Add("WWW-Authenticate", `Basic realm="`+d.URL+`/"`)
	h.Set("X-VSS-ResourceTenant", tenant)
	http.Error(w, "unauthorized: "+reason.Error(), http.StatusUnauthorized)
}

// route maps the part of a path after the org to a repository directory
// (relative to root) and the git path that follows it. It accepts
// {project}/_git/{repo}/... and {repo-named-project}/_git/... forms, i.e.
// _git/{repo}/..., which Azure DevOps resolves to the project of the same
// name or else to the only repository of that name in the org.
func (d *DevOps) route(org, rest string) (dir, tail string, ok bool) {
	parts := strings.SplitN(rest, "/", 4)
	var project, repo string
	switch {
	case len(parts) >= 3 && parts[1] == "_git":
		project, repo = parts[0], parts[2]
		tail = strings.TrimPrefix(rest, strings.Join(parts[:3], "/"))
	case len(parts) >= 2 && parts[0] == "_git":
		repo = parts[1]
		tail = strings.TrimPrefix(rest, strings.Join(parts[:2], "/"))
	default:
		return "", "", false
	}
	repo = strings.TrimSuffix(strings.ToLower(repo), ".git")
	project = strings.ToLower(project)

	d.mu.Lock()
	defer d.mu.Unlock()
	known := d.repos[org]
	find := func(key string) bool {
		for _, k := range known {
			if k == key {
				return true
			}
		}
		return false
	}
	if project != "" {
		if !find(project + "/" + repo) {
			return "", "", false
		}
		return org + "/" + project + "/" + repo + ".git", tail, true
	}
	if find(repo + "/" + repo) {
		return org + "/" + repo + "/" + repo + ".git", tail, true
	}
	match := ""
	for _, k := range known {
		if strings.HasSuffix(k, "/"+repo) {
			if match != "" {
				return "", "", false // ambiguous
			}
			match = k
		}
	}
	if match == "" {
		return "", "", false
	}
	return org + "/" + match + ".git", tail, true
}

// seedBareRepo creates a bare repository at dir holding one commit with a
// README on branch main, built with plumbing so no work tree is needed.
func seedBareRepo(dir string) error {
	env := append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=Fake Cloud", "GIT_AUTHOR_EMAIL=fakecloud@example.invalid",
		"GIT_COMMITTER_NAME=Fake Cloud", "GIT_COMMITTER_EMAIL=fakecloud@example.invalid",
		"GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z",
	)
	git := func(stdin string, args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return "", fmt.Errorf("git %s: %w: %s", args[0], err, strings.TrimSpace(string(ee.Stderr)))
			}
			return "", fmt.Errorf("git %s: %w", args[0], err)
		}
		return strings.TrimSpace(string(out)), nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return err
	}
	if _, err := git("", "init", "--quiet", "--bare", "--initial-branch=main", dir); err != nil {
		return err
	}
	if _, err := git("", "-C", dir, "config", "http.receivepack", "true"); err != nil {
		return err
	}
	blob, err := git("# "+filepath.Base(dir)+"\n\nSeeded by fakecloud.\n", "-C", dir, "hash-object", "-w", "--stdin")
	if err != nil {
		return err
	}
	tree, err := git("100644 blob "+blob+"\tREADME.md\n", "-C", dir, "mktree")
	if err != nil {
		return err
	}
	commit, err := git("", "-C", dir, "commit-tree", tree, "-m", "Initial commit")
	if err != nil {
		return err
	}
	_, err = git("", "-C", dir, "update-ref", "refs/heads/main", commit)
	return err
}
