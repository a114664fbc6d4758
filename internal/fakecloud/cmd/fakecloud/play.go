package main

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/azcred/azcred/internal/fakecloud"
)

// writePlay prints, for -play, the shell lines that point azcred, git,
// kubectl and docker's cousins at this cloud from another shell, with
// every config path inside the cloud's directory (the user's own files are
// never touched), then the commands that sign in, bind and run each client.
func writePlay(w io.Writer, in fakecloud.Info, secret string, repos []string, image string) {
	dir := in.Dir
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("")
	p("# The fake cloud is up. In another shell, paste these lines to play with azcred by hand;")
	p("# every config file lives in %s, none of yours is read or written.", dir)
	p("export AZCRED_CONFIG_DIR=%s AZCRED_KEYRING_BACKEND=file", q(filepath.Join(dir, "azcred")))
	p("export SSL_CERT_FILE=%s GIT_SSL_CAINFO=%s", q(in.CAFile), q(in.CAFile))
	p("export GIT_CONFIG_GLOBAL=%s DOCKER_CONFIG=%s KUBECONFIG=%s", q(filepath.Join(dir, "gitconfig")), q(filepath.Join(dir, "docker")), q(filepath.Join(dir, "kubeconfig")))
	p("azcred environment add Fake --authority %s/ --resource-manager %s/", in.Authority, in.ARM)
	if in.ClientID != "" && in.Tenant != "" {
		p("printf '%%s\\n' %s | azcred login --service-principal --environment Fake --tenant %s --client-id %s --secret-stdin --name fake", q(secret), in.Tenant, in.ClientID)
	}
	names := make([]string, 0, len(in.Services))
	for n := range in.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		u := in.Services[n]
		switch {
		case n == "git":
			p("# git: every -repo is served at %s/ORG/PROJECT/_git/REPO", u)
			p("azcred bind %s fake && azcred install git --url %s", u, u)
			for _, r := range repos {
				parts := strings.Split(r, "/")
				p("git clone %s/%s/%s/_git/%s", u, parts[0], parts[1], parts[2])
			}
		case strings.HasPrefix(n, "kube-"):
			p("# kubectl (%s, API server %s): merge its kubeconfig with azcred as the exec plugin, as the README's kubectl section does", n, u)
			p("azcred aks list && azcred aks get-credentials -g %s -n %s && kubectl get namespaces", fakecloud.DefaultResourceGroup, strings.TrimPrefix(n, "kube-"))
		case strings.HasPrefix(n, "acr-"):
			host := strings.TrimPrefix(u, "https://")
			p("# %s: crane, oras, skopeo... read it through docker-credential-azcred", n)
			p("azcred bind %s fake && azcred install docker --registry %s", host, host)
			p("crane manifest %s/%s", host, image)
		}
	}
	p("# Stop the fake cloud with Ctrl-C here; it also stops by itself after -ttl.")
}
