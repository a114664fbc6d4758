package fakecloud

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	svcTenant      = "11111111-fake-tena-nt00-000000000001"
	svcOtherTenant = "22222222-fake-tena-nt00-000000000002"
)

// svcCloud starts a fake cloud that the test closes.
func svcCloud(t *testing.T) *Cloud {
	t.Helper()
	c, err := Start(Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// svcToken mints an obviously fake user access token signed by c.
func svcToken(t *testing.T, c *Cloud, aud, tenant string, ttl time.Duration) string {
	t.Helper()
	now := time.Now()
	tok, err := c.Sign(map[string]any{
		"aud": aud,
		"iss": c.AuthorityURL + "/" + tenant + "/v2.0",
		"tid": tenant,
		"oid": "00000000-fake-user-0000-000000000001",
		"upn": "fake.user@example.invalid",
		"iat": now.Unix(),
		"nbf": now.Add(-time.Minute).Unix(),
		"exp": now.Add(ttl).Unix(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// gitRunner runs the real git with no user or system config, never
// prompting, trusting the fake cloud's CA.
func gitRunner(t *testing.T, c *Cloud) func(dir string, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not on PATH")
	}
	home := t.TempDir()
	return func(dir string, args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(),
			"HOME="+home,
			"GIT_CONFIG_NOSYSTEM=1",
			"GIT_CONFIG_GLOBAL="+filepath.Join(home, "gitconfig"),
			"GIT_TERMINAL_PROMPT=0",
			"GIT_ASKPASS=",
			"SSH_ASKPASS=",
			"GIT_SSL_CAINFO="+c.CAFile,
			"GIT_AUTHOR_NAME=Fake Tester", "GIT_AUTHOR_EMAIL=tester@example.invalid",
			"GIT_COMMITTER_NAME=Fake Tester", "GIT_COMMITTER_EMAIL=tester@example.invalid",
		)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
}

// helperFor is a credential.helper shell snippet answering with token.
func helperFor(token string) string {
	return "credential.helper=!f() { echo username=fake-user; echo password=" + token + "; }; f"
}

func TestDevOpsGitClient(t *testing.T) {
	c := svcCloud(t)
	d, err := c.StartDevOps()
	if err != nil {
		t.Fatal(err)
	}
	cloneURL, err := d.AddRepo("contoso", "Web", "app", svcTenant)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddRepo("contoso", "tools", "tools", svcTenant); err != nil {
		t.Fatal(err)
	}
	git := gitRunner(t, c)
	good := svcToken(t, c, DevOpsResource, svcTenant, time.Hour)

	tests := []struct {
		name    string
		url     string
		config  []string
		wantErr bool
	}{
		{"basic password", cloneURL, []string{helperFor(good)}, false},
		{"bearer header", cloneURL, []string{"http.extraHeader=Authorization: Bearer " + good}, false},
		{"org-level path", d.URL + "/contoso/_git/tools", []string{helperFor(good)}, false},
		{"org-level path to repo in other project", d.URL + "/contoso/_git/app", []string{helperFor(good)}, false},
		{"case-insensitive names", d.URL + "/Contoso/WEB/_git/App", []string{helperFor(good)}, false},
		{"no credentials", cloneURL, nil, true},
		{"other tenant", cloneURL, []string{helperFor(svcToken(t, c, DevOpsResource, svcOtherTenant, time.Hour))}, true},
		{"wrong audience", cloneURL, []string{helperFor(svcToken(t, c, "https://management.core.windows.net/", svcTenant, time.Hour))}, true},
		{"expired", cloneURL, []string{helperFor(svcToken(t, c, DevOpsResource, svcTenant, -time.Hour))}, true},
		{"garbage token", cloneURL, []string{helperFor("not-a-jwt")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rejected := c.Count("git-401")
			var args []string
			for _, kv := range tt.config {
				args = append(args, "-c", kv)
			}
			args = append(args, "ls-remote", tt.url)
			out, err := git("", args...)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ls-remote succeeded, want failure:\n%s", out)
				}
				if c.Count("git-401") == rejected {
					t.Errorf("git-401 did not count the refusal")
				}
				return
			}
			if err != nil {
				t.Fatalf("ls-remote: %v\n%s", err, out)
			}
			if !strings.Contains(out, "refs/heads/main") {
				t.Errorf("ls-remote output lacks refs/heads/main:\n%s", out)
			}
		})
	}
}

func TestDevOpsCloneAndPush(t *testing.T) {
	c := svcCloud(t)
	d, err := c.StartDevOps()
	if err != nil {
		t.Fatal(err)
	}
	cloneURL, err := d.AddRepo("fabrikam", "proj", "repo", svcTenant)
	if err != nil {
		t.Fatal(err)
	}
	git := gitRunner(t, c)
	helper := helperFor(svcToken(t, c, DevOpsResource, svcTenant, time.Hour))
	work := filepath.Join(t.TempDir(), "w")

	// The steps' args hold the token, so failures name only the step.
	steps := []struct {
		name string
		args []string
	}{
		{"clone", []string{"-c", helper, "clone", "--quiet", cloneURL, work}},
		{"commit", []string{"-C", work, "commit", "--quiet", "--allow-empty", "-m", "second"}},
		{"push main", []string{"-C", work, "-c", helper, "push", "--quiet", "origin", "HEAD:main"}},
		{"push new branch", []string{"-C", work, "-c", helper, "push", "--quiet", "origin", "HEAD:refs/heads/feature"}},
	}
	for _, s := range steps {
		if out, err := git("", s.args...); err != nil {
			t.Fatalf("%s: %v\n%s", s.name, err, out)
		}
	}
	if _, err := os.Stat(filepath.Join(work, "README.md")); err != nil {
		t.Errorf("clone lacks the seeded README: %v", err)
	}
	head, err := git(work, "rev-parse", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	remote, err := git("", "-c", helper, "ls-remote", cloneURL)
	if err != nil {
		t.Fatalf("ls-remote: %v\n%s", err, remote)
	}
	for _, ref := range []string{"refs/heads/main", "refs/heads/feature"} {
		if !strings.Contains(remote, strings.TrimSpace(head)+"\t"+ref) {
			t.Errorf("remote %s is not the pushed commit %s:\n%s", ref, head, remote)
		}
	}
	if c.Count("git") == 0 {
		t.Errorf("git requests were not counted")
	}
}

func TestDevOpsChallenge(t *testing.T) {
	c := svcCloud(t)
	d, err := c.StartDevOps()
	if err != nil {
		t.Fatal(err)
	}
	cloneURL, err := d.AddRepo("contoso", "p", "r", svcTenant)
	if err != nil {
		t.Fatal(err)
	}
	client := c.HTTPClient()

	tests := []struct {
		name       string
		url        string
		token      string
		wantStatus int
	}{
		{"repo without token", cloneURL + "/info/refs?service=git-upload-pack", "", http.StatusUnauthorized},
		{"org without token", d.URL + "/contoso", "", http.StatusUnauthorized},
		{"org with token", d.URL + "/contoso", svcToken(t, c, DevOpsResource, svcTenant, time.Hour), http.StatusOK},
		{"unknown org", d.URL + "/nobody/p/_git/r", "", http.StatusNotFound},
		{"unknown repo", d.URL + "/contoso/p/_git/missing/info/refs", svcToken(t, c, DevOpsResource, svcTenant, time.Hour), http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := bearerDo(t, client, http.MethodGet, tt.url, tt.token)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if resp.StatusCode == http.StatusNotFound {
				return
			}
			if got := resp.Header.Get("X-VSS-ResourceTenant"); got != svcTenant {
				t.Errorf("X-VSS-ResourceTenant = %q, want %q", got, svcTenant)
			}
			if resp.StatusCode != http.StatusUnauthorized {
				return
			}
			want := []string{
				"Bearer authorization_uri=" + c.AuthorityURL + "/" + svcTenant,
				`Basic realm="` + d.URL + `/"`,
			}
			got := resp.Header.Values("WWW-Authenticate")
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("WWW-Authenticate = %q, want %q", got, want)
			}
		})
	}
}

func TestDevOpsAddRepoErrors(t *testing.T) {
	c := svcCloud(t)
	d, err := c.StartDevOps()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddRepo("contoso", "p", "r", svcTenant); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                       string
		org, project, repo, tenant string
	}{
		{"duplicate", "contoso", "p", "r", svcTenant},
		{"org in another tenant", "contoso", "p", "other", svcOtherTenant},
		{"slash in name", "contoso", "p/q", "r", svcTenant},
		{"empty name", "contoso", "", "r", svcTenant},
		{"dot-dot", "..", "p", "r", svcTenant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := d.AddRepo(tt.org, tt.project, tt.repo, tt.tenant); err == nil {
				t.Errorf("AddRepo(%q, %q, %q) succeeded, want an error", tt.org, tt.project, tt.repo)
			}
		})
	}
}
