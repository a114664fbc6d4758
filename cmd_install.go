package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/install"
)

// InstallCmd writes the callers' configuration (pip and cargo: cmd_install_feeds.go).
type InstallCmd struct {
	Git    InstallGitCmd    `cmd:"" help:"Make azcred git's credential helper for Azure DevOps."`
	Kube   InstallKubeCmd   `cmd:"" help:"Convert kubeconfig users (azure auth-provider, kubelogin) to azcred's exec plugin."`
	Docker InstallDockerCmd `cmd:"" help:"Make azcred the Docker credential helper for registries."`
	Pip    InstallPipCmd    `cmd:"" help:"Make azcred the keyring that pip and uv ask for Azure Artifacts feeds."`
	Cargo  InstallCargoCmd  `cmd:"" help:"Make azcred cargo's credential provider for Azure Artifacts feeds."`
}

// InstallGitCmd is `azcred install git`.
type InstallGitCmd struct {
	Global    bool     `help:"Write ~/.gitconfig (the default)." xor:"where"`
	System    bool     `help:"Write the system git config." xor:"where"`
	Local     bool     `help:"Write this repository's config." xor:"where"`
	File      string   `help:"Write this config file." xor:"where" type:"path"`
	URL       []string `name:"url" help:"URL to configure (default https://dev.azure.com and https://*.visualstudio.com); repeatable."`
	Uninstall bool     `help:"Remove what install added."`
}

func (c *InstallGitCmd) Run(a *app) error {
	opts := install.GitOptions{Scope: "global", URLs: c.URL, Uninstall: c.Uninstall}
	switch {
	case c.System:
		opts.Scope = "system"
	case c.Local:
		opts.Scope = "local"
	case c.File != "":
		opts.Scope, opts.File = "file", c.File
	}
	if !c.Uninstall {
		l, err := a.linkHelper("git-credential-azcred")
		if err != nil {
			return err
		}
		opts.Command = install.HelperValue(l.OnPath)
	}
	changes, err := install.InstallGit(context.Background(), opts)
	if err != nil {
		return err
	}
	a.printChanges(changes, map[bool]string{false: "git is already configured", true: "nothing to remove: azcred was not configured"}[c.Uninstall])
	return nil
}

// InstallKubeCmd is `azcred install kube`.
type InstallKubeCmd struct {
	Kubeconfig    string `help:"Kubeconfig to convert (default $KUBECONFIG's first file or ~/.kube/config)." type:"path"`
	Context       string `help:"Kube context whose user to convert (default: every Azure user)."`
	ServerID      string `name:"server-id" help:"Server application id (default: the old block's, else AKS's)."`
	AzcredContext string `name:"azcred-context" help:"Pin this azcred context into the exec block." predictor:"context"`
	DryRun        bool   `help:"Print the diff, write nothing."`
}

func (c *InstallKubeCmd) Run(a *app) error {
	path := c.Kubeconfig
	if path == "" {
		path = install.KubeconfigPath(a.getenv)
	}
	running, _ := os.Executable()
	var np *install.NotOnPathError
	if _, err := install.AzcredOnPath(install.LinkOptions{Getenv: a.getenv, Running: running}); errors.As(err, &np) && !c.DryRun {
		return notOnPath(np)
	}
	cmd := "azcred"
	changes, err := install.InstallKube(path, install.KubeOptions{Context: c.Context, ServerID: c.ServerID, Command: cmd, AzcredContext: c.AzcredContext}, c.DryRun, a.stdout)
	if err != nil {
		return err
	}
	if c.DryRun {
		return nil
	}
	a.printChanges(changes, "the kubeconfig needs no change")
	if len(changes) > 0 {
		a.notef("comments in %s may not all survive the rewrite; the old file is kept as %s%s", path, path, install.BackupSuffix)
	}
	return nil
}

// InstallDockerCmd is `azcred install docker`.
type InstallDockerCmd struct {
	Registry      []string `help:"Registry host; repeatable." xor:"which"`
	AllRegistries bool     `help:"Every registry Resource Manager lists in the context's subscription." xor:"which"`
	CredsStore    bool     `help:"Also make azcred the default credential store (docker login to other registries goes to azcred's vault)."`
	Context       string   `help:"Context for --all-registries." predictor:"context"`
	Uninstall     bool     `help:"Remove azcred's entries."`
}

func (c *InstallDockerCmd) Run(a *app) error {
	regs := c.Registry
	if c.AllRegistries {
		found, err := a.call.Registries(ctxBackground(), c.Context)
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return helper.WithHint(errors.New("resource manager lists no container registry in the context's subscription"), "name registries with --registry HOST")
		}
		regs = found
	}
	if len(regs) == 0 && !c.CredsStore && !c.Uninstall {
		return helper.WithHint(errors.New("no registry given"), "azcred install docker --registry NAME.azurecr.io (or --all-registries, --creds-store)")
	}
	if !c.Uninstall && !c.AllRegistries {
		if err := a.refuseForeignRegistries(regs); err != nil {
			return err
		}
	}
	if !c.Uninstall {
		if _, err := a.linkHelper("docker-credential-azcred"); err != nil {
			return err
		}
	}
	path := install.DockerConfigPath(a.getenv)
	changes, err := install.InstallDocker(path, install.DockerOptions{Registries: regs, CredsStore: c.CredsStore, Uninstall: c.Uninstall})
	if err != nil {
		return err
	}
	a.printChanges(changes, map[bool]string{false: "docker is already configured", true: "nothing to remove: azcred was not configured"}[c.Uninstall])
	return nil
}

// refuseForeignRegistries refuses a registry azcred would never answer
// for: docker would send it to azcred and get "not found" every time.
func (a *app) refuseForeignRegistries(regs []string) error {
	_, l, err := a.load()
	if err != nil {
		return err
	}
	for _, r := range regs {
		host, err := install.NormaliseRegistry(r)
		if err != nil {
			return err
		}
		if !helper.ServesRegistry(l, host) {
			return helper.WithHint(fmt.Errorf("%s is neither an Azure Container Registry nor bound, so azcred would never answer for it", host),
				"bind it to a context first: %s", helper.Cmd("bind", host, "CONTEXT"))
		}
	}
	return nil
}

func (a *app) printChanges(changes []install.Change, none string) {
	if len(changes) == 0 {
		a.notef("%s", none)
		return
	}
	for _, ch := range changes {
		a.notef("%s", ch.String())
	}
}

// linkHelper makes sure git or docker can find azcred under name (see
// install/links.go) and says what it did. Its error carries the fix.
func (a *app) linkHelper(name string) (install.HelperLink, error) {
	running, _ := os.Executable()
	l, err := install.LinkHelper(name, install.LinkOptions{Getenv: a.getenv, Running: running})
	var np *install.NotOnPathError
	if errors.As(err, &np) {
		return l, notOnPath(np)
	}
	if err != nil {
		return l, err
	}
	if l.Created {
		a.notef("linked %s -> azcred", l.Path)
	}
	if !l.OnPath {
		dir := filepath.Dir(l.Path)
		a.notef("warning: %s is not on PATH, so %s is not found; add it: export PATH=\"%s:$PATH\"", dir, name, dir)
	}
	return l, nil
}

// notOnPath explains that azcred itself must be on PATH: every config
// install writes names the command, never the path of one version.
func notOnPath(np *install.NotOnPathError) error {
	fix := "add the directory azcred is in to PATH, then run this again"
	if np.Running != "" {
		fix = fmt.Sprintf("add it to PATH, then run this again: export PATH=\"%s:$PATH\" (after go install: export PATH=\"$(go env GOPATH)/bin:$PATH\")", filepath.Dir(np.Running))
	}
	return helper.WithHint(np, "%s", fix)
}
