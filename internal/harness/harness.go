// Package harness builds the real azcred binary and prepares a warm store
// against a loopback fake cloud, for the tests and benchmarks that need
// whole processes (stress, kill, bench/). Nothing here is in the shipped
// binary.
package harness

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/azcred/azcred/internal/fakecloud"
)

// Fake identities (obviously fake values).
const (
	Tenant   = "11111111-1111-4111-8111-111111111111"
	ClientID = "aaaaaaaa-0000-4000-8000-00000000000a"
	Secret   = "fake-harness-sp-secret"
	SubID    = "c0c0c0c0-0000-4000-8000-000000000001"
)

// Env is a fake cloud and a store signed in to it.
type Env struct {
	Dir     string
	Azcred  string // the built binary; git-credential-azcred and docker-credential-azcred link to it
	Cloud   *fakecloud.Cloud
	Vars    []string // the environment every azcred process gets
	GitURL  string   // a bound Azure DevOps repository URL
	Cluster *fakecloud.Cluster
	ACRHost string
}

// BuildFlags are the flags the README's install command uses: no paths
// and no symbol tables in the binary (smaller, so faster to start).
var BuildFlags = []string{"-trimpath", "-ldflags=-s -w"}

// Build compiles the module's main package (repo is the module root) as a
// static binary into dir and returns its path.
func Build(repo, dir string) (string, error) {
	out := filepath.Join(dir, "azcred")
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	cmd := exec.Command("go", "build", BuildFlags[0], BuildFlags[1], "-o", out, ".")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, b)
	}
	for _, name := range []string{"git-credential-azcred", "docker-credential-azcred"} {
		if err := os.Symlink(out, filepath.Join(dir, name)); err != nil {
			return "", err
		}
	}
	return out, nil
}

// Setup starts a fake cloud with a service principal, a DevOps org, a
// cluster and a registry, signs azcred in and binds all three targets.
func Setup(dir, azcred string) (*Env, error) {
	fdir := filepath.Join(dir, "fakecloud")
	if err := os.MkdirAll(fdir, 0o700); err != nil {
		return nil, err
	}
	c, err := fakecloud.Start(fakecloud.Options{Dir: fdir})
	if err != nil {
		return nil, err
	}
	e := &Env{Dir: dir, Azcred: azcred, Cloud: c}
	ok := false
	defer func() {
		if !ok {
			c.Close()
		}
	}()
	c.AddTenant(Tenant, "Contoso")
	if _, err := c.AddServicePrincipal(fakecloud.SP{Tenant: Tenant, ClientID: ClientID, Secret: Secret}); err != nil {
		return nil, err
	}
	c.AddSubscription(fakecloud.Subscription{ID: SubID, Name: "Contoso Dev", Tenant: Tenant})
	devops, err := c.StartDevOps()
	if err != nil {
		return nil, err
	}
	if e.GitURL, err = devops.AddRepo("contoso", "proj", "repo", Tenant); err != nil {
		return nil, err
	}
	if e.Cluster, err = c.StartCluster("aks", ""); err != nil {
		return nil, err
	}
	acr, err := c.StartACR("contoso")
	if err != nil {
		return nil, err
	}
	e.ACRHost = acr.Host
	e.Vars = append(os.Environ(),
		"AZCRED_CONFIG_DIR="+filepath.Join(dir, "config"),
		"AZCRED_KEYRING_BACKEND=file",
		"SSL_CERT_FILE="+c.CAFile,
		"HOME="+filepath.Join(dir, "home"),
		"PATH="+filepath.Dir(azcred)+string(os.PathListSeparator)+os.Getenv("PATH"),
	)
	steps := [][]string{
		{"environment", "add", "Fake", "--authority", c.AuthorityURL + "/", "--resource-manager", c.ARMURL + "/"},
		{"login", "--service-principal", "--environment", "Fake", "--tenant", Tenant, "--client-id", ClientID, "--secret-stdin", "--name", "sp"},
		{"bind", strings.TrimSuffix(e.GitURL, "/proj/_git/repo"), "sp"},
		{"bind", e.Cluster.URL, "sp"},
		{"bind", e.ACRHost, "sp"},
	}
	for _, s := range steps {
		if _, err := e.Run(Secret+"\n", nil, s...); err != nil {
			return nil, err
		}
	}
	ok = true
	return e, nil
}

// Close stops the fake cloud.
func (e *Env) Close() { e.Cloud.Close() }

// Run runs azcred with args, stdin and extra environment; it returns stdout.
func (e *Env) Run(stdin string, env []string, args ...string) (string, error) {
	return e.RunAs(e.Azcred, stdin, env, args...)
}

// RunAs runs bin (azcred under another name) like Run.
func (e *Env) RunAs(bin, stdin string, env []string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append([]string{}, e.Vars...), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %v: %s", filepath.Base(bin), strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// Warm is one warm (cache-hit) invocation of each protocol.
type Warm struct {
	Name  string
	Bin   string
	Args  []string
	Stdin string
	Env   []string
}

// WarmCalls returns the four cache-hit calls the benchmarks time.
func (e *Env) WarmCalls() []Warm {
	dir := filepath.Dir(e.Azcred)
	host := strings.TrimPrefix(e.GitURL, "https://")
	host, path, _ := strings.Cut(host, "/")
	return []Warm{
		{Name: "azcred token", Bin: e.Azcred, Args: []string{"token", "--output", "raw"}},
		{Name: "azcred git get", Bin: filepath.Join(dir, "git-credential-azcred"), Args: []string{"get"},
			Stdin: "protocol=https\nhost=" + host + "\npath=" + path + "\n\n"},
		{Name: "azcred kube", Bin: e.Azcred, Args: []string{"kube"},
			Env: []string{`KUBERNETES_EXEC_INFO={"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false,"cluster":{"server":"` + e.Cluster.URL + `"}}}`}},
		{Name: "docker-credential-azcred get", Bin: filepath.Join(dir, "docker-credential-azcred"), Args: []string{"get"}, Stdin: e.ACRHost + "\n"},
	}
}
