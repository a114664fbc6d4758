package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/install"
)

// InstallPipCmd is `azcred install pip`.
type InstallPipCmd struct {
	Dir       string `help:"Directory of azcred's own for the keyring link (default ~/.local/share/azcred/bin or the OS's equivalent)." type:"path"`
	Uninstall bool   `help:"Remove the link and the pip setting that install added."`
}

func (c *InstallPipCmd) Run(a *app) error {
	dir := c.Dir
	if dir == "" {
		dir = install.PipLinkDir(a.getenv)
	}
	exe, err := azcredExe()
	if err != nil {
		return err
	}
	cfg := install.PipConfigPath(a.getenv)
	changes, err := install.InstallPip(install.PipOptions{LinkDir: dir, Exe: exe, ConfigFile: cfg, Uninstall: c.Uninstall, Path: a.getenv("PATH")})
	if errors.Is(err, install.ErrForeignKeyring) {
		return helper.WithHint(err, "azcred will not hide it from pip; remove it from PATH (pip uninstall keyring) and run 'azcred install pip' again")
	}
	if err != nil {
		return err
	}
	a.printChanges(changes, map[bool]string{false: "pip is already configured", true: "nothing to remove: azcred was not configured"}[c.Uninstall])
	if c.Uninstall {
		return nil
	}
	if !onPath(a.getenv("PATH"), dir) {
		a.notef("put %s on PATH so pip and uv find its keyring: export PATH=\"%s%c$PATH\"", dir, dir, os.PathListSeparator)
	}
	if s := install.PipUserSetting(cfg); s != "" && !strings.HasSuffix(s, "= subprocess") {
		a.notef("%s has %s: pip asks azcred only with --keyring-provider subprocess (or PIP_KEYRING_PROVIDER=subprocess)", cfg, s)
	}
	a.notef("uv: set UV_KEYRING_PROVIDER=subprocess (or keyring-provider = \"subprocess\" in uv.toml)")
	a.notef("pip and uv ask keyring only for an index URL with a user name: https://azcred@pkgs.dev.azure.com/ORG/_packaging/FEED/pypi/simple/")
	return nil
}

// InstallCargoCmd is `azcred install cargo`.
type InstallCargoCmd struct {
	Registry  string `help:"Set the provider of this registry (registries.NAME.credential-provider); default: the global provider list."`
	Context   string `help:"Pin this azcred context in the provider setting." predictor:"context"`
	Uninstall bool   `help:"Remove the setting that install added."`
}

func (c *InstallCargoCmd) Run(a *app) error {
	cmd := "azcred"
	if _, err := exec.LookPath("azcred"); err != nil {
		exe, err := azcredExe()
		if err != nil {
			return err
		}
		if strings.ContainsAny(exe, " \t") {
			// cargo splits a provider setting on spaces.
			return helper.WithHint(errors.New("azcred is not on PATH and its path has a space"), "put azcred on PATH and run 'azcred install cargo' again")
		}
		cmd = exe
	}
	cmd += " cargo"
	if c.Context != "" {
		if strings.ContainsAny(c.Context, " \t\"\\") {
			return helper.WithHint(errors.New("a context name with spaces or quotes cannot go into cargo's provider setting"), "rename it: azcred context rename OLD NEW")
		}
		cmd += " --context " + c.Context
	}
	cfg := install.CargoConfigPath(a.getenv)
	changes, userSet, err := install.InstallCargo(install.CargoOptions{ConfigFile: cfg, Registry: c.Registry, Command: cmd, Uninstall: c.Uninstall})
	if err != nil {
		return err
	}
	if userSet != "" {
		a.notef("%s already has %s; left as it is", cfg, userSet)
		if c.Registry == "" {
			a.notef("add \"%s\" at the end of that list (later entries are asked first)", cmd)
		}
		return nil
	}
	a.printChanges(changes, map[bool]string{false: "cargo is already configured", true: "nothing to remove: azcred was not configured"}[c.Uninstall])
	return nil
}

// azcredExe is this binary's path with links resolved.
func azcredExe() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	return exe, nil
}

func onPath(path, dir string) bool {
	for _, d := range filepath.SplitList(path) {
		if filepath.Clean(d) == filepath.Clean(dir) {
			return true
		}
	}
	return false
}
