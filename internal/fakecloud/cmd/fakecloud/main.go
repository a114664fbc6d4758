// Command fakecloud runs the loopback fake of Entra ID, Resource Manager and managed identity
// as a process, for demos and for end-to-end tests in other languages than Go.
//
//	fakecloud [-seed FILE | -tenant ID -user UPN ...] -info PATH [-ttl 10m] [-play]
//	          [-repo ORG/PROJECT/REPO]... [-cluster NAME[=SERVER_ID]]... [-acr NAME]...
//	fakecloud browse [-ca FILE] AUTHORIZE_URL
//
// It writes a JSON description of itself (authority, arm, msi, ca_file, tenant, services, ...)
// to -info and serves until SIGINT/SIGTERM or until -ttl has elapsed: it always stops by
// itself, so a forgotten one never outlives a test run by much. "browse" is a fake browser:
// give it as the program that opens the sign-in URL and it signs the seeded interactive user
// in.
//
// The other services start only when asked for, so that the default needs nothing but Go
// (the git host needs git's http-backend): -repo starts the Azure DevOps git host ("git" in
// the description's services) with that repository in the first tenant; -cluster starts a
// fake AKS API server ("kube-NAME"), whose tokens must be for SERVER_ID (default AKS's);
// -acr starts a fake container registry ("acr-NAME") seeded with -acr-image and lists it
// as a registry of the first subscription. Each may be repeated.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/azcred/azcred/internal/fakecloud"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "browse" {
		return browse(args[1:], stderr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, args, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "fakecloud: error: %v\n", err)
		return 1
	}
	return 0
}

// services start the optional services (git, kube, acr) once the directory is seeded; the
// flags in serviceFlags add to it.
type services []func(c *fakecloud.Cloud) error

// repos are the -repo values, ORG/PROJECT/REPO, for -play.
var repos []string

// serviceFlags defines -repo, -cluster, -acr and -acr-image on fs.
func serviceFlags(fs *flag.FlagSet) *services {
	var (
		s        services
		devops   *fakecloud.DevOps
		acrImage = "hello:v1"
	)
	fs.Func("repo", "start the Azure DevOps git host with repository `ORG/PROJECT/REPO` in the first tenant (repeatable)", func(v string) error {
		parts := strings.Split(v, "/")
		if len(parts) != 3 {
			return fmt.Errorf("-repo %q: want ORG/PROJECT/REPO", v)
		}
		repos = append(repos, v)
		s = append(s, func(c *fakecloud.Cloud) error {
			if devops == nil {
				d, err := c.StartDevOps()
				if err != nil {
					return err
				}
				devops = d
			}
			tenant, err := firstTenant(c)
			if err != nil {
				return fmt.Errorf("-repo: %w", err)
			}
			_, err = devops.AddRepo(parts[0], parts[1], parts[2], tenant)
			return err
		})
		return nil
	})
	fs.Func("cluster", "start a fake AKS API server `NAME[=SERVER_ID]` (default server id: AKS's), listed in the first subscription's resource group "+fakecloud.DefaultResourceGroup+" (repeatable)", func(v string) error {
		name, serverID, _ := strings.Cut(v, "=")
		if name == "" {
			return errors.New("-cluster: empty name")
		}
		s = append(s, func(c *fakecloud.Cloud) error {
			k, err := c.StartCluster(name, serverID)
			if err != nil {
				return err
			}
			if sub := c.Info().Subscription; sub != "" {
				c.AddManagedCluster(k.ManagedClusterFor(sub, fakecloud.DefaultResourceGroup))
			}
			return nil
		})
		return nil
	})
	fs.Func("acr", "start a fake container registry `NAME`, seeded with -acr-image and listed in the first subscription (repeatable)", func(name string) error {
		if name == "" {
			return errors.New("-acr: empty name")
		}
		s = append(s, func(c *fakecloud.Cloud) error {
			repo, tag, ok := strings.Cut(acrImage, ":")
			if !ok || repo == "" || tag == "" {
				return fmt.Errorf("-acr-image %q: want REPO:TAG", acrImage)
			}
			a, err := c.StartACR(name)
			if err != nil {
				return err
			}
			if _, err := a.Seed(repo, tag); err != nil {
				return err
			}
			if sub := c.Info().Subscription; sub != "" {
				c.AddRegistry(sub, name, a.Host)
			}
			return nil
		})
		return nil
	})
	fs.StringVar(&acrImage, "acr-image", acrImage, "image `REPO:TAG` each -acr registry starts with")
	return &s
}

// firstTenant is where -repo puts its organizations: the only tenant of a flag-seeded
// cloud, the first of a seed file.
func firstTenant(c *fakecloud.Cloud) (string, error) {
	ts := c.Tenants()
	if len(ts) == 0 {
		return "", errors.New("no tenant to put the organization in")
	}
	return ts[0].ID, nil
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fakecloud", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		dir      = fs.String("dir", "", "scratch directory for ca.pem and files (default: a new temporary directory)")
		info     = fs.String("info", "", "write the JSON description of the running cloud to this `path`")
		ttl      = fs.Duration("ttl", 10*time.Minute, "stop after this long")
		seedFile = fs.String("seed", "", "JSON seed `file` (see fakecloud.Seed); replaces the flags below")
		tenant   = fs.String("tenant", "aaaaaaaa-0000-4000-8000-00000000000a", "tenant id")
		user     = fs.String("user", "alice@fake.example", "interactive user's UPN (empty: none)")
		clientID = fs.String("sp-client-id", "5b5b5b5b-0000-4000-8000-000000000005", "service principal client id (empty: none)")
		secret   = fs.String("sp-secret", "fake-sp-secret-value", "service principal secret")
		sub      = fs.String("subscription", "cccccccc-0000-4000-8000-00000000000c", "subscription id (empty: none)")
		subName  = fs.String("subscription-name", "Fake Subscription", "subscription name")
		lifetime = fs.Duration("token-lifetime", time.Hour, "access token lifetime")
		mi       = fs.Bool("managed-identity", true, "add a system-assigned managed identity")
		play     = fs.Bool("play", false, "print the exports and commands to use azcred against this cloud from another shell")
		extra    = serviceFlags(fs)
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ttl <= 0 {
		return errors.New("-ttl must be positive")
	}
	seed := fakecloud.Seed{TokenLifetime: lifetime.String()}
	if *seedFile != "" {
		var err error
		if seed, err = fakecloud.ReadSeed(*seedFile); err != nil {
			return err
		}
	} else {
		seed.Tenants = []fakecloud.Tenant{{ID: *tenant, DisplayName: "Fake Tenant"}}
		if *user != "" {
			seed.Users = []fakecloud.User{{UPN: *user, HomeTenant: *tenant}}
			seed.InteractiveUser = *user
		}
		if *clientID != "" {
			seed.ServicePrincipals = []fakecloud.SeedSP{{Tenant: *tenant, ClientID: *clientID, Secret: *secret}}
		}
		if *sub != "" {
			seed.Subscriptions = []fakecloud.Subscription{{ID: *sub, Name: *subName, Tenant: *tenant}}
		}
		if *mi {
			seed.ManagedIdentities = []fakecloud.MI{{Tenant: *tenant}}
		}
	}

	c, err := fakecloud.Start(fakecloud.Options{Dir: *dir})
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Apply(seed); err != nil {
		return err
	}
	for _, start := range *extra {
		if err := start(c); err != nil {
			return err
		}
	}
	if *info != "" {
		if err := c.WriteInfo(*info); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "fakecloud: authority %s, arm %s, msi %s, ca %s\n", c.AuthorityURL, c.ARMURL, c.MSIURL, c.CAFile)
	servers := c.Servers()
	names := make([]string, 0, len(servers))
	for name := range servers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(stdout, "fakecloud: %s %s\n", name, servers[name])
	}

	if *play {
		writePlay(stdout, c.Info(), *secret, repos, fs.Lookup("acr-image").Value.String())
	}

	timer := time.NewTimer(*ttl)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		fmt.Fprintln(stderr, "fakecloud: stopping on signal")
	case <-timer.C:
		fmt.Fprintf(stderr, "fakecloud: stopping after -ttl %s\n", *ttl)
	}
	return nil
}

// browse is the fake browser: it opens the authorize URL and delivers the answer to the
// redirect URI.
func browse(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("fakecloud browse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	caFile := fs.String("ca", "", "PEM `file` of the CA to trust (default: the system roots, which honour SSL_CERT_FILE)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: fakecloud browse [-ca FILE] URL")
		return 2
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			fmt.Fprintf(stderr, "fakecloud: error: %v\n", err)
			return 1
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			fmt.Fprintf(stderr, "fakecloud: error: no certificate in %s\n", *caFile)
			return 1
		}
		hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := fakecloud.Browse(ctx, hc, fs.Arg(0)); err != nil {
		fmt.Fprintf(stderr, "fakecloud: error: %v\n", err)
		return 1
	}
	return 0
}
