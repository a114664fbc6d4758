package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

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
		onPath, err := a.ensureLink("git-credential-azcred")
		if err != nil {
			return err
		}
		exe, _ := os.Executable()
		opts.Command = install.HelperValue(exe, onPath)
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
	changes, err := install.InstallKube(path, install.KubeOptions{Context: c.Context, ServerID: c.ServerID, Command: install.ExecCommand(), AzcredContext: c.AzcredContext}, c.DryRun, a.stdout)
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
	if !c.Uninstall {
		if _, err := a.ensureLink("docker-credential-azcred"); err != nil {
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

func (a *app) printChanges(changes []install.Change, none string) {
	if len(changes) == 0 {
		a.notef("%s", none)
		return
	}
	for _, ch := range changes {
		a.notef("%s", ch.String())
	}
}

// ensureLink makes sure git or docker can find azcred under name: if no
// program of that name is on PATH, it links one beside the azcred binary.
// It reports whether name is now on PATH.
func (a *app) ensureLink(name string) (bool, error) {
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if _, err := exec.LookPath(name); err == nil {
		return true, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return false, err
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	link := filepath.Join(filepath.Dir(exe), name)
	if err := os.Symlink(exe, link); err != nil {
		if err2 := os.Link(exe, link); err2 != nil {
			a.notef("could not create %s (%v); put a copy of azcred named %s on PATH", link, err, name)
			return false, nil
		}
	}
	a.notef("linked %s -> %s", link, exe)
	_, err = exec.LookPath(name)
	if err != nil && !strings.Contains(a.getenv("PATH"), filepath.Dir(exe)) {
		a.notef("%s is not on PATH; add it so git and docker find %s", filepath.Dir(exe), name)
	}
	return err == nil, nil
}
