package doctor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/install"
	"github.com/azcred/azcred/store"
)

// ToolInfo says whether a caller (git, kubectl, docker, pip, cargo) is set up to run
// azcred, and whether the program it would run can be found.
type ToolInfo struct {
	Name       string   `json:"name"`
	Configured bool     `json:"configured"`
	Config     string   `json:"config,omitempty"` // the file (or git key) looked at
	Detail     string   `json:"detail"`
	Targets    []string `json:"targets,omitempty"` // registries or kubeconfig users that use azcred
	Runs       string   `json:"runs,omitempty"`    // the program the tool would run
	RunsFound  bool     `json:"runsFound,omitempty"`
}

func (r *Report) checkGit(ctx context.Context, o Options) {
	t := ToolInfo{Name: "git", Config: "credential.helper for " + install.GitProbeURL}
	defer func() { r.Tools = append(r.Tools, t) }()
	git, err := o.LookPath(o.Git)
	if err != nil {
		t.Detail = "git is not on PATH"
		return
	}
	s, err := install.GitStatus(ctx, git)
	if err != nil {
		t.Detail = err.Error()
		r.add("git", StatusProblem, "cannot read git's configuration: "+t.Detail, "git config --list --show-origin")
		return
	}
	if s.Helper == "" {
		t.Detail = "git does not use azcred for Azure DevOps"
		if s.Other != "" {
			t.Detail += " (credential.helper is " + s.Other + ")"
		}
		r.add("git", StatusInfo, t.Detail, "azcred install git")
		return
	}
	t.Configured = true
	t.Runs = s.Program
	t.RunsFound = programExists(t.Runs, o.LookPath)
	t.Detail = "credential.helper = " + s.Helper
	if len(s.URLs) > 0 {
		t.Config = "credential.<url>.helper"
		t.Targets = s.URLs
		t.Detail += " for " + strings.Join(s.URLs, ", ")
	}
	if !t.RunsFound {
		r.add("git", StatusProblem, fmt.Sprintf("git is configured to run %s, which is not found", t.Runs), "azcred install git")
	}
}

func (r *Report) checkKube(o Options) {
	t := ToolInfo{Name: "kubectl"}
	defer func() { r.Tools = append(r.Tools, t) }()
	s := install.KubeStatus(o.Getenv)
	t.Config = strings.Join(s.Files, string(os.PathListSeparator))
	for _, f := range s.Unreadable {
		r.add("kubectl", StatusProblem, fmt.Sprintf("cannot read kubeconfig %s: %s", f.File, helper.FirstLine(f.Err.Error())), "kubectl config view --kubeconfig "+store.QuoteArg(f.File))
	}
	for _, u := range s.Azcred {
		t.Configured = true
		t.Targets = append(t.Targets, u.Name)
		t.Runs = u.Command
		if !programExists(u.Command, o.LookPath) {
			r.add("kubectl", StatusProblem, fmt.Sprintf("kubeconfig user %q runs %s, which is not found", u.Name, u.Command),
				"put azcred on PATH, or run 'azcred install kube' to write its absolute path")
		} else {
			t.RunsFound = true
		}
	}
	switch {
	case t.Configured:
		t.Detail = "kubeconfig users that run azcred: " + strings.Join(t.Targets, ", ")
	case len(s.Files) == 0:
		t.Detail = "no kubeconfig (HOME and KUBECONFIG are unset)"
	default:
		t.Detail = "no kubeconfig user runs azcred"
	}
	if len(s.Legacy) > 0 {
		r.add("kubectl", StatusInfo, "kubeconfig users that use kubelogin or the retired azure auth-provider: "+strings.Join(s.Legacy, ", "), "azcred install kube")
	} else if !t.Configured {
		r.add("kubectl", StatusInfo, t.Detail, "azcred install kube --context KUBE_CONTEXT")
	}
}

func (r *Report) checkDocker(o Options) {
	t := ToolInfo{Name: "docker"}
	defer func() { r.Tools = append(r.Tools, t) }()
	s, err := install.DockerStatus(o.Getenv)
	t.Config = s.Config
	switch {
	case s.Config == "":
		t.Detail = "no docker config (HOME and DOCKER_CONFIG are unset)"
		return
	case !s.Exists:
		t.Detail = "no docker config file"
		r.add("docker", StatusInfo, "docker does not use azcred (no "+t.Config+")", "azcred install docker --registry REGISTRY")
		return
	case err != nil:
		t.Detail = "unreadable"
		r.add("docker", StatusProblem, fmt.Sprintf("cannot read docker config %s: %s", t.Config, helper.FirstLine(err.Error())), "fix the JSON by hand, or move the file away")
		return
	}
	t.Targets = s.Registries
	switch {
	case s.CredsStore:
		t.Configured = true
		t.Detail = "credsStore is azcred (every registry)"
	case len(t.Targets) > 0:
		t.Configured = true
		t.Detail = "credHelpers use azcred for " + strings.Join(t.Targets, ", ")
	default:
		t.Detail = "docker does not use azcred"
		r.add("docker", StatusInfo, t.Detail, "azcred install docker --registry REGISTRY")
		return
	}
	const prog = install.DockerHelperProgram
	t.Runs = prog
	t.RunsFound = programExists(prog, o.LookPath)
	if !t.RunsFound {
		r.add("docker", StatusProblem, "docker is configured to run "+prog+", which is not on PATH",
			"azcred install docker --registry REGISTRY (it links "+prog+" beside azcred)")
	}
}

// checkPip reports pip's keyring-provider and azcred's keyring link. pip
// is optional: not using azcred there is no finding.
func (r *Report) checkPip(o Options) {
	s := install.PipStatus(o.Getenv)
	t := ToolInfo{Name: "pip", Config: s.Config, Runs: s.Link, RunsFound: s.Link != "" && s.LinkOnPath}
	defer func() { r.Tools = append(r.Tools, t) }()
	switch {
	case s.Provider != "subprocess":
		t.Detail = "pip does not use azcred (no keyring-provider = subprocess)"
	case s.Link == "":
		t.Detail = "keyring-provider = subprocess, but azcred's keyring link is not there (pip runs whatever keyring is on PATH)"
	case !s.LinkOnPath:
		t.Configured = true
		t.Detail = "keyring-provider = subprocess; azcred's keyring link " + s.Link + " is not on PATH"
		r.add("pip", StatusProblem, "pip runs keyring from PATH, and "+filepath.Dir(s.Link)+" (azcred's keyring link) is not on it",
			"add "+store.QuoteArg(filepath.Dir(s.Link))+" to PATH")
	default:
		t.Configured = true
		t.Detail = "keyring-provider = subprocess; keyring is azcred's link " + s.Link
	}
}

// checkCargo reports the credential providers azcred added to cargo's
// config. cargo is optional: not using azcred there is no finding.
func (r *Report) checkCargo(o Options) {
	s := install.CargoStatus(o.Getenv)
	t := ToolInfo{Name: "cargo", Config: s.Config, Targets: s.Ours, Configured: len(s.Ours) > 0}
	if t.Configured {
		t.Detail = "azcred is the credential provider in " + strings.Join(s.Ours, ", ")
	} else {
		t.Detail = "cargo does not use azcred"
	}
	r.Tools = append(r.Tools, t)
}

// programExists finds a program the way the tool that runs it would: a
// path is checked as is, a bare name is looked up on PATH.
func programExists(prog string, lookPath func(string) (string, error)) bool {
	if prog == "" {
		return false
	}
	if filepath.IsAbs(prog) || strings.ContainsAny(prog, `/\`) {
		st, err := os.Stat(prog)
		return err == nil && !st.IsDir()
	}
	_, err := lookPath(prog)
	return err == nil
}
