package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/azcred/azcred/internal/fakecloud"
)

// azcredMain is azcred as the scripts run it. With AZCRED_TEST_LOG set it
// also keeps a copy of everything azcred writes to stderr there, for the
// secret leak check.
func azcredMain() {
	var stderr io.Writer = os.Stderr
	if dir := os.Getenv("AZCRED_TEST_LOG"); dir != "" {
		if f, err := os.CreateTemp(dir, "stderr-*.log"); err == nil {
			defer f.Close()
			stderr = io.MultiWriter(os.Stderr, f)
		}
	}
	code := run(os.Args, os.Stdin, os.Stdout, stderr, os.Getenv)
	if f, ok := stderr.(interface{ Close() error }); ok {
		f.Close()
	}
	os.Exit(code)
}

// fakeBrowser plays the user's browser for `azcred login --browser`
// (BROWSER=fake-browser): it follows the fake authority's sign-in page
// back to azcred's localhost redirect.
func fakeBrowser() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: fake-browser URL")
		os.Exit(2)
	}
	pool := x509.NewCertPool()
	pem, err := os.ReadFile(os.Getenv("SSL_CERT_FILE"))
	if err == nil {
		pool.AppendCertsFromPEM(pem)
	}
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	// Detach like a real browser would: azcred waits for the redirect.
	go func() {
		if err := fakecloud.Browse(context.Background(), hc, os.Args[1]); err != nil {
			fmt.Fprintln(os.Stderr, "fake-browser:", err)
		}
	}()
	time.Sleep(3 * time.Second)
	os.Exit(0)
}

func TestMain(m *testing.M) {
	// azcred install pip links a `keyring` to this binary; testscript knows
	// only the names below, so answer to that one here (it must not be one
	// of them: every script would then find a keyring on PATH).
	if strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe") == "keyring" {
		azcredMain()
	}
	testscript.Main(cleanupM{m}, map[string]func(){
		"azcred":                   azcredMain,
		"git-credential-azcred":    azcredMain,
		"docker-credential-azcred": azcredMain,
		"fake-browser":             fakeBrowser,
	})
}

// cleanupM removes what the tests left in the temp dir once they have
// run: the azcred binary stress_test.go builds (testscript.Main exits).
type cleanupM struct{ m *testing.M }

func (c cleanupM) Run() int {
	code := c.m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	return code
}

// The directory every script starts with. All values are obviously fake.
const (
	tenantContoso  = "11111111-1111-4111-8111-111111111111"
	tenantFabrikam = "22222222-2222-4222-8222-222222222222"
	userAlice      = "alice@contoso.example"
	userBob        = "bob@fabrikam.example"
	spClientID     = "aaaaaaaa-0000-4000-8000-00000000000a"
	spSecret       = "fake-sp-secret-do-not-use"
	spCertClientID = "bbbbbbbb-0000-4000-8000-00000000000b"
	spFedClientID  = "cccccccc-0000-4000-8000-00000000000c"
	miClientID     = "dddddddd-0000-4000-8000-00000000000d"
	subContosoDev  = "c0c0c0c0-0000-4000-8000-000000000001"
	subContosoProd = "c0c0c0c0-0000-4000-8000-000000000002"
	subFabrikam    = "fafafafa-0000-4000-8000-000000000003"
	aks2ServerID   = "eeeeeeee-0000-4000-8000-00000000000e"
	aliceOID       = "a11ce000-0000-4000-8000-0000000a11ce"
	rgAKS          = "rg-aks"
	rgFabrikam     = "rg-fab"
	// cliRefreshToken is alice's refresh token in testdata/azure-cli's MSAL cache, as if
	// `az login` had signed her in; the fake accepts it for the Azure CLI's client.
	cliRefreshToken  = "fake-azure-cli-refresh-token-for-alice-do-not-use"
	azureCLIClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
)

func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams("testdata/script", nil, ""))
}

// TestGitMatrix runs every git script again with a second git, the one
// .ci/run builds from Debian trixie's source package (git >= 2.46, which
// asks helpers for Bearer credentials with capability[]=authtype). The
// directory of that git's binaries comes in AZCRED_GIT_NEW; CI must set it.
func TestGitMatrix(t *testing.T) {
	dir := os.Getenv("AZCRED_GIT_NEW")
	if dir == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("AZCRED_GIT_NEW is not set: .ci/run builds a newer git with scripts/build-git.sh and exports its bin directory")
		}
		t.Skip("AZCRED_GIT_NEW is not set (bash scripts/build-git.sh builds git 2.47 and prints its prefix)")
	}
	// The git scripts, and those in testdata/git-new that need git >= 2.46.
	files, err := filepath.Glob("testdata/script/git_*.txtar")
	newer, err2 := filepath.Glob("testdata/git-new/*.txtar")
	if err != nil || err2 != nil || len(files) == 0 || len(newer) == 0 {
		t.Fatalf("no git scripts: %v %v", err, err2)
	}
	files = append(files, newer...)
	testscript.Run(t, scriptParams("", files, dir))
}

// scriptParams is the harness for the scripts in dir (or the given files),
// with gitDir, when set, first on PATH.
func scriptParams(dir string, files []string, gitDir string) testscript.Params {
	return testscript.Params{
		Dir:   dir,
		Files: files,
		Setup: func(env *testscript.Env) error {
			if err := setupCloud(env); err != nil {
				return err
			}
			if gitDir != "" {
				env.Setenv("PATH", gitDir+string(os.PathListSeparator)+env.Getenv("PATH"))
			}
			return nil
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"fake": fakeCmd, "subst": substCmd, "keyringd": keyringdCmd,
		},
		Condition:           scriptCondition(gitDir),
		UpdateScripts:       os.Getenv("AZCRED_UPDATE_SCRIPTS") != "",
		RequireExplicitExec: true,
	}
}

// scriptCondition answers the scripts' conditions for the clients they run:
// [gitwwwauth] (git >= 2.41 passes the server's WWW-Authenticate challenges
// to helpers as wwwauth[]) for the git in gitDir, else the one on PATH;
// [cargo-provider] (cargo >= 1.74, which has credential providers) and
// [pip-subprocess] (pip >= 23.1, which has --keyring-provider subprocess):
// Debian 12's own cargo and pip are older, so a machine without newer ones
// skips those scripts, saying why.
func scriptCondition(gitDir string) func(string) (bool, error) {
	git := "git"
	if gitDir != "" {
		git = filepath.Join(gitDir, "git")
	}
	return func(cond string) (bool, error) {
		switch cond {
		case "root":
			// The process can chown files to a second user (ownership
			// checks; CI runs as root).
			return os.Geteuid() == 0, nil
		case "keyringd", "keyctl":
			return keyringCondition(cond)
		case "gitwwwauth":
			return versionAtLeast([]string{git, "version"}, `^git version (\d+)\.(\d+)`, 2, 41)
		case "cargo-provider", "pip-subprocess":
			ok, err := versionAtLeast(map[string][]string{"cargo-provider": {"cargo", "--version"}, "pip-subprocess": {"python3", "-m", "pip", "--version"}}[cond],
				map[string]string{"cargo-provider": `^cargo (\d+)\.(\d+)`, "pip-subprocess": `^pip (\d+)\.(\d+)`}[cond],
				map[string]int{"cargo-provider": 1, "pip-subprocess": 23}[cond], map[string]int{"cargo-provider": 74, "pip-subprocess": 1}[cond])
			if !ok && err == nil && os.Getenv("CI") != "" {
				// CI's machine has both: a skip there would hide a broken feed.
				return false, fmt.Errorf("[%s]: the client is missing or too old on this CI machine", cond)
			}
			return ok, err
		}
		return false, fmt.Errorf("unknown condition %q", cond)
	}
}

// versionAtLeast runs cmd and compares the major.minor that re captures; a
// client that is missing or unreadable is "no".
func versionAtLeast(cmd []string, re string, major, minor int) (bool, error) {
	out, err := exec.Command(cmd[0], cmd[1:]...).Output()
	if err != nil {
		return false, nil
	}
	m := regexp.MustCompile(re).FindStringSubmatch(string(out))
	if m == nil {
		return false, nil
	}
	x, _ := strconv.Atoi(m[1])
	y, _ := strconv.Atoi(m[2])
	return x > major || x == major && y >= minor, nil
}

// setupCloud starts a fresh fake cloud for one script and points azcred,
// git, kubectl and crane at it through the environment.
func setupCloud(env *testscript.Env) error {
	work := env.WorkDir
	if err := os.MkdirAll(filepath.Join(work, ".fakecloud"), 0o700); err != nil {
		return err
	}
	c, err := fakecloud.Start(fakecloud.Options{Dir: filepath.Join(work, ".fakecloud")})
	if err != nil {
		return err
	}
	env.Defer(func() {
		defer c.Close()
		if leaks := findLeaks(work, c.IssuedSecrets()); len(leaks) > 0 {
			env.T().Fatal("secrets leaked:\n" + strings.Join(leaks, "\n"))
		}
	})
	env.Values["cloud"] = c
	plain := startPlainHTTP()
	env.Defer(plain.Close)
	env.Values["plain"] = plain
	c.AddTenant(tenantContoso, "Contoso")
	c.AddTenant(tenantFabrikam, "Fabrikam")
	c.AddUser(fakecloud.User{UPN: userAlice, HomeTenant: tenantContoso, Tenants: []string{tenantFabrikam}, OID: aliceOID})
	c.AddRefreshToken(userAlice, azureCLIClientID, cliRefreshToken)
	c.AddUser(fakecloud.User{UPN: userBob, HomeTenant: tenantFabrikam})
	c.SetInteractiveUser(userAlice)
	if _, err := c.AddServicePrincipal(fakecloud.SP{Tenant: tenantContoso, ClientID: spClientID, Secret: spSecret}); err != nil {
		return err
	}
	certPEM, keyPEM, err := c.NewCertificate("azcred-test-sp")
	if err != nil {
		return err
	}
	if _, err := c.AddServicePrincipal(fakecloud.SP{Tenant: tenantContoso, ClientID: spCertClientID, CertPEM: certPEM}); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(work, "sp-cert.pem"), append(certPEM, keyPEM...), 0o600); err != nil {
		return err
	}
	if _, err := c.AddServicePrincipal(fakecloud.SP{Tenant: tenantFabrikam, ClientID: spFedClientID, Federated: true}); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(work, "federated-token"), []byte(c.FederatedToken(spFedClientID)), 0o600); err != nil {
		return err
	}
	c.AddManagedIdentity(fakecloud.MI{Tenant: tenantContoso})
	c.AddManagedIdentity(fakecloud.MI{ClientID: miClientID, Tenant: tenantContoso})
	c.AddSubscription(fakecloud.Subscription{ID: subContosoDev, Name: "Contoso Dev", Tenant: tenantContoso})
	c.AddSubscription(fakecloud.Subscription{ID: subContosoProd, Name: "Contoso Prod", Tenant: tenantContoso})
	c.AddSubscription(fakecloud.Subscription{ID: subFabrikam, Name: "Fabrikam", Tenant: tenantFabrikam})

	devops, err := c.StartDevOps()
	if err != nil {
		return err
	}
	for _, r := range []struct{ org, tenant string }{{"contoso", tenantContoso}, {"fabrikam", tenantFabrikam}} {
		if _, err := devops.AddRepo(r.org, "proj", "repo", r.tenant); err != nil {
			return err
		}
	}
	aks1, err := c.StartCluster("aks1", "")
	if err != nil {
		return err
	}
	aks2, err := c.StartCluster("aks2", aks2ServerID)
	if err != nil {
		return err
	}
	// aks3 is fabrikam's: its API server takes fabrikam tokens only.
	aks3, err := c.StartCluster("aks3", "")
	if err != nil {
		return err
	}
	aks3.Tenant = tenantFabrikam
	// In Resource Manager: aks1 (local accounts disabled; the contoso service principal
	// lacks the Cluster User role on it), aks2 (its own server app, local accounts on),
	// aks-basic (no Entra ID: static credentials) and fabrikam's aks3.
	mc1 := aks1.ManagedClusterFor(subContosoDev, rgAKS)
	mc1.Deny = []string{spClientID}
	c.AddManagedCluster(mc1)
	mc2 := aks2.ManagedClusterFor(subContosoDev, rgAKS)
	mc2.DisableLocalAccounts = false
	c.AddManagedCluster(mc2)
	c.AddManagedCluster(fakecloud.ManagedCluster{SubscriptionID: subContosoDev, ResourceGroup: rgAKS, Name: "aks-basic",
		Server: "https://aks-basic-dns.hcp.westeurope.azmk8s.invalid:443", CAData: aks1.CAData})
	c.AddManagedCluster(aks3.ManagedClusterFor(subFabrikam, rgFabrikam))
	acr, err := c.StartACR("contoso")
	if err != nil {
		return err
	}
	if _, err := acr.Seed("hello", "v1"); err != nil {
		return err
	}
	c.AddRegistry(subContosoDev, "contoso", acr.Host)
	feeds, err := c.StartFeeds()
	if err != nil {
		return err
	}
	cargoIndex, pipIndex := feeds.AddOrg("contoso", "crates", tenantContoso)

	home := filepath.Join(work, "home")
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		return err
	}
	vars := map[string]string{
		"TESTDATA":               testdata,
		"HOME":                   home,
		"XDG_CONFIG_HOME":        filepath.Join(home, ".config"),
		"XDG_RUNTIME_DIR":        filepath.Join(work, "run"),
		"AZCRED_CONFIG_DIR":      filepath.Join(work, "config"),
		"AZCRED_KEYRING_BACKEND": "file",
		"SSL_CERT_FILE":          c.CAFile,
		"GIT_SSL_CAINFO":         c.CAFile,
		"GIT_TERMINAL_PROMPT":    "0",
		"GIT_CONFIG_GLOBAL":      filepath.Join(home, ".gitconfig"),
		"GIT_CONFIG_NOSYSTEM":    "1",
		"GIT_AUTHOR_NAME":        "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
		"GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
		"DOCKER_CONFIG":     filepath.Join(home, ".docker"),
		"KUBECONFIG":        filepath.Join(home, ".kube", "config"),
		"FAKE_AUTHORITY":    c.AuthorityURL,
		"FAKE_ARM":          c.ARMURL,
		"FAKE_DEVOPS":       devops.URL,
		"FAKE_DEVOPS_HOST":  strings.TrimPrefix(devops.URL, "https://"),
		"FAKE_AKS1":         aks1.URL,
		"FAKE_AKS2":         aks2.URL,
		"FAKE_AKS3":         aks3.URL,
		"FAKE_ENTRA_HOST":   strings.TrimPrefix(c.AuthorityURL, "https://"),
		"ALICE_OID":         aliceOID,
		"FAKE_CA_DATA":      aks1.CAData,
		"FAKE_ACR":          acr.Host,
		"TENANT_CONTOSO":    tenantContoso,
		"TENANT_FABRIKAM":   tenantFabrikam,
		"USER_ALICE":        userAlice,
		"USER_BOB":          userBob,
		"SP_CLIENT_ID":      spClientID,
		"SP_SECRET":         spSecret,
		"SP_CERT_CLIENT_ID": spCertClientID,
		"SP_FED_CLIENT_ID":  spFedClientID,
		"MI_CLIENT_ID":      miClientID,
		"SUB_CONTOSO_DEV":   subContosoDev,
		"SUB_CONTOSO_PROD":  subContosoProd,
		"SUB_FABRIKAM":      subFabrikam,
		"AKS2_SERVER_ID":    aks2ServerID,
		"AZCRED_TIMEOUT":    "10s",
		"AZCRED_TEST_LOG":   filepath.Join(work, ".stderr"),
		"BROWSER":           "fake-browser",
		"FAKE_FEEDS":        feeds.URL,
		"FAKE_FEEDS_HOST":   feeds.Host,
		"FAKE_CARGO_INDEX":  cargoIndex,
		"FAKE_PIP_INDEX":    pipIndex,
		// pip and uv ask keyring only for an index URL with a user name.
		"FAKE_PIP_INDEX_USER": strings.Replace(pipIndex, "https://", "https://azcred@", 1),
		"FAKE_OTHER_INDEX":    feeds.OtherIndex(),
		"FAKE_OTHER_TOKEN":    fakecloud.OtherRegistryToken,
		// cargo: its own home in the work dir, the fake CA, and the
		// machine's rustup toolchains (rustup looks under $HOME otherwise).
		"CARGO_HOME":                    filepath.Join(work, "cargo-home"),
		"CARGO_HTTP_CAINFO":             c.CAFile,
		"RUSTUP_HOME":                   rustupHome(),
		"CARGO_TERM_COLOR":              "never",
		"PIP_CERT":                      c.CAFile,
		"PIP_DISABLE_PIP_VERSION_CHECK": "1",
		"PLAIN_HTTP":                    plain.Listener.Addr().String(),
	}
	for _, kv := range c.MSIEnv() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	for k, v := range vars {
		env.Setenv(k, v)
	}
	for _, d := range []string{home, filepath.Join(work, "run"), filepath.Join(work, ".stderr")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	return nil
}

// rustupHome is where the machine's rustup keeps its toolchains, read
// before the scripts get a HOME of their own.
func rustupHome() string {
	if h := os.Getenv("RUSTUP_HOME"); h != "" {
		return h
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".rustup")
}

// fakeCmd drives the script's fake cloud:
//
//	fake count SERVICE N          the service got exactly N requests (! for "not N")
//	fake reset                    zero every counter
//	fake revoke UPN               revoke the user's refresh tokens
//	fake claims UPN               answer the user's refreshes with a claims challenge
//	fake lifetime DURATION        lifetime of tokens issued from now on
//	fake fault SERVICE STATUS|hang|trickle [TIMES [BODY]]
//	fake clearfaults
//	fake wait DURATION            sleep (for expiry tests with short lifetimes)
//	fake plainauth N              the plain-http server at $PLAIN_HTTP was sent credentials N times
func fakeCmd(ts *testscript.TestScript, neg bool, args []string) {
	c := ts.Value("cloud").(*fakecloud.Cloud)
	if len(args) == 0 {
		ts.Fatalf("usage: fake count|reset|revoke|claims|lifetime|fault|clearfaults|wait ...")
	}
	need := func(n int) {
		if len(args) != n+1 {
			ts.Fatalf("fake %s: want %d argument(s)", args[0], n)
		}
	}
	switch args[0] {
	case "count":
		need(2)
		want, err := strconv.Atoi(args[2])
		ts.Check(err)
		got := c.Count(args[1])
		if (got == want) == neg {
			ts.Fatalf("fake count %s: got %d requests, want %s%d", args[1], got, map[bool]string{true: "not ", false: ""}[neg], want)
		}
		return
	case "reset":
		c.ResetCounts()
	case "revoke":
		need(1)
		c.Revoke(args[1])
	case "claims":
		need(1)
		c.RequireClaims(args[1])
	case "lifetime":
		need(1)
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		c.SetTokenLifetime(d)
	case "fault":
		if len(args) < 3 {
			ts.Fatalf("fake fault SERVICE STATUS|hang|trickle [TIMES [BODY]]")
		}
		f := fakecloud.Fault{}
		switch args[2] {
		case "hang":
			f.Hang = true
		case "trickle":
			f.Trickle = true
		default:
			n, err := strconv.Atoi(args[2])
			ts.Check(err)
			f.Status = n
		}
		if len(args) > 3 {
			n, err := strconv.Atoi(args[3])
			ts.Check(err)
			f.Times = n
		}
		if len(args) > 4 {
			f.Body = args[4]
		}
		c.SetFault(args[1], f)
	case "clearfaults":
		c.ClearFaults()
	case "plainauth":
		need(1)
		want, err := strconv.Atoi(args[1])
		ts.Check(err)
		got := int(ts.Value("plain").(*plainHTTP).authorized.Load())
		if (got == want) == neg {
			ts.Fatalf("fake plainauth: sent credentials %d times, want %s%d", got, map[bool]string{true: "not ", false: ""}[neg], want)
		}
		return
	case "wait":
		need(1)
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		time.Sleep(d)
	default:
		ts.Fatalf("fake: unknown subcommand %q", args[0])
	}
	if neg {
		ts.Fatalf("fake %s does not take !", args[0])
	}
	fmt.Fprint(ts.Stdout(), "")
}

// substCmd replaces $NAME and ${NAME} in files in place with the script's
// environment, since testscript does not expand variables inside archive
// files (kubeconfigs need the fake servers' URLs):
//
//	subst FILE...
//
// An unset variable is an error, so a typo cannot yield an empty value.
func substCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("subst does not take !")
	}
	if len(args) == 0 {
		ts.Fatalf("usage: subst FILE...")
	}
	for _, name := range args {
		path := ts.MkAbs(name)
		data, err := os.ReadFile(path)
		ts.Check(err)
		out := os.Expand(string(data), func(k string) string {
			v := ts.Getenv(k)
			if v == "" {
				ts.Fatalf("subst %s: $%s is not set", name, k)
			}
			return v
		})
		ts.Check(os.WriteFile(path, []byte(out), 0o600))
	}
}

// plainHTTP is a plain-http server on loopback that asks every client for
// Basic credentials and counts the requests that carried some: nothing
// azcred serves may ever answer it.
type plainHTTP struct {
	*httptest.Server
	authorized atomic.Int32
}

func startPlainHTTP() *plainHTTP {
	p := &plainHTTP{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			p.authorized.Add(1)
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="plain"`)
		http.Error(w, "credentials please", http.StatusUnauthorized)
	}))
	return p
}
