package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	testscript.Main(m, map[string]func(){
		"azcred":                   azcredMain,
		"git-credential-azcred":    azcredMain,
		"docker-credential-azcred": azcredMain,
		"fake-browser":             fakeBrowser,
	})
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
)

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		Setup:               setupCloud,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"fake": fakeCmd, "subst": substCmd, "keyringd": keyringdCmd},
		Condition:           keyringCondition,
		UpdateScripts:       os.Getenv("AZCRED_UPDATE_SCRIPTS") != "",
		RequireExplicitExec: true,
	})
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
	c.AddTenant(tenantContoso, "Contoso")
	c.AddTenant(tenantFabrikam, "Fabrikam")
	c.AddUser(fakecloud.User{UPN: userAlice, HomeTenant: tenantContoso, Tenants: []string{tenantFabrikam}})
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
	acr, err := c.StartACR("contoso")
	if err != nil {
		return err
	}
	if _, err := acr.Seed("hello", "v1"); err != nil {
		return err
	}
	c.AddRegistry(subContosoDev, "contoso", acr.Host)

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
		"FAKE_AKS1":         aks1.URL,
		"FAKE_AKS2":         aks2.URL,
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

// fakeCmd drives the script's fake cloud:
//
//	fake count SERVICE N          the service got exactly N requests (! for "not N")
//	fake reset                    zero every counter
//	fake revoke UPN               revoke the user's refresh tokens
//	fake claims UPN               answer the user's refreshes with a claims challenge
//	fake lifetime DURATION        lifetime of tokens issued from now on
//	fake fault SERVICE STATUS|hang [TIMES]
//	fake clearfaults
//	fake wait DURATION            sleep (for expiry tests with short lifetimes)
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
			ts.Fatalf("fake fault SERVICE STATUS|hang [TIMES]")
		}
		f := fakecloud.Fault{}
		if args[2] == "hang" {
			f.Hang = true
		} else {
			n, err := strconv.Atoi(args[2])
			ts.Check(err)
			f.Status = n
		}
		if len(args) > 3 {
			n, err := strconv.Atoi(args[3])
			ts.Check(err)
			f.Times = n
		}
		c.SetFault(args[1], f)
	case "clearfaults":
		c.ClearFaults()
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
