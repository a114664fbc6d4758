package helper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/azcred/azcred/store"
)

// ToolInfo says whether a caller (git, kubectl, docker) is set up to run
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

// gitProbeURL stands for any Azure DevOps repository: git's own URL
// matching then says which helper such a request would reach.
const gitProbeURL = "https://dev.azure.com/x"

func (r *DoctorReport) checkGit(ctx context.Context, o DoctorOptions) {
	t := ToolInfo{Name: "git", Config: "credential.helper for " + gitProbeURL}
	defer func() { r.Tools = append(r.Tools, t) }()
	git, err := o.LookPath(o.Git)
	if err != nil {
		t.Detail = "git is not on PATH"
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, git, "config", "--get-urlmatch", "credential.helper", gitProbeURL).Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) { // 1: no such key
		t.Detail = fmt.Sprintf("git config failed: %v", err)
		r.add("git", StatusProblem, "cannot read git's configuration: "+t.Detail, "git config --list --show-origin")
		return
	}
	value := lastLine(string(out))
	var urls []string
	if !strings.Contains(value, "azcred") {
		// `install git --url URL` configures other hosts than Azure DevOps.
		urls, value = gitURLsUsingAzcred(ctx, git)
	}
	if !strings.Contains(value, "azcred") {
		t.Detail = "git does not use azcred for Azure DevOps"
		if v := lastLine(string(out)); v != "" {
			t.Detail += " (credential.helper is " + v + ")"
		}
		r.add("git", StatusInfo, t.Detail, "azcred install git")
		return
	}
	t.Configured = true
	t.Runs = gitHelperProgram(value)
	t.RunsFound = programExists(t.Runs, o.LookPath)
	t.Detail = "credential.helper = " + value
	if len(urls) > 0 {
		t.Config = "credential.<url>.helper"
		t.Targets = urls
		t.Detail += " for " + strings.Join(urls, ", ")
	}
	if !t.RunsFound {
		r.add("git", StatusProblem, fmt.Sprintf("git is configured to run %s, which is not found", t.Runs), "azcred install git")
	}
}

// gitURLsUsingAzcred lists the URLs whose credential.<url>.helper ends in
// an azcred helper, and that helper value.
func gitURLsUsingAzcred(ctx context.Context, git string) (urls []string, value string) {
	out, err := exec.CommandContext(ctx, git, "config", "-z", "--get-regexp", `^credential\..+\.helper$`).Output()
	if err != nil {
		return nil, ""
	}
	last := map[string]string{}
	var order []string
	for _, entry := range strings.Split(string(out), "\x00") {
		key, v, _ := strings.Cut(entry, "\n")
		u, ok := strings.CutSuffix(strings.TrimPrefix(key, "credential."), ".helper")
		if !ok || u == "" {
			continue
		}
		if _, seen := last[u]; !seen {
			order = append(order, u)
		}
		last[u] = v
	}
	for _, u := range order {
		if strings.Contains(last[u], "azcred") {
			urls, value = append(urls, u), last[u]
		}
	}
	return urls, value
}

// gitHelperProgram is the program git runs for a credential.helper value
// (gitcredentials(7)): "!cmd" runs cmd in the shell, an absolute path runs
// that file, any other name runs git-credential-NAME from PATH.
func gitHelperProgram(value string) string {
	v := strings.TrimSpace(value)
	if rest, ok := strings.CutPrefix(v, "!"); ok {
		rest = strings.TrimSpace(rest)
		if q, ok := strings.CutPrefix(rest, "'"); ok {
			if prog, _, ok := strings.Cut(q, "'"); ok {
				return prog
			}
		}
		return firstField(rest)
	}
	prog := firstField(v)
	if filepath.IsAbs(prog) || strings.ContainsRune(prog, '/') {
		return prog
	}
	return "git-credential-" + prog
}

// kubeconfig is the part of a kubeconfig doctor reads.
type kubeconfig struct {
	Users []struct {
		Name string `yaml:"name"`
		User struct {
			Exec *struct {
				Command string `yaml:"command"`
			} `yaml:"exec"`
			AuthProvider *struct {
				Name string `yaml:"name"`
			} `yaml:"auth-provider"`
		} `yaml:"user"`
	} `yaml:"users"`
}

func (r *DoctorReport) checkKube(o DoctorOptions) {
	t := ToolInfo{Name: "kubectl"}
	defer func() { r.Tools = append(r.Tools, t) }()
	files := kubeconfigFiles(o.Getenv)
	t.Config = strings.Join(files, string(os.PathListSeparator))
	var legacy []string
	for _, f := range files {
		data, err := store.ReadFileLimited(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		var kc kubeconfig
		if err == nil {
			err = yaml.Unmarshal(data, &kc)
		}
		if err != nil {
			r.add("kubectl", StatusProblem, fmt.Sprintf("cannot read kubeconfig %s: %s", f, firstLine(err.Error())), "kubectl config view --kubeconfig "+quoteArg(f))
			continue
		}
		for _, u := range kc.Users {
			switch {
			case u.User.Exec != nil && programBase(u.User.Exec.Command) == "azcred":
				t.Configured = true
				t.Targets = append(t.Targets, u.Name)
				t.Runs = u.User.Exec.Command
				if !programExists(u.User.Exec.Command, o.LookPath) {
					r.add("kubectl", StatusProblem, fmt.Sprintf("kubeconfig user %q runs %s, which is not found", u.Name, u.User.Exec.Command),
						"put azcred on PATH, or run 'azcred install kube' to write its absolute path")
				} else {
					t.RunsFound = true
				}
			case u.User.Exec != nil && programBase(u.User.Exec.Command) == "kubelogin",
				u.User.AuthProvider != nil && u.User.AuthProvider.Name == "azure":
				legacy = append(legacy, u.Name)
			}
		}
	}
	switch {
	case t.Configured:
		t.Detail = "kubeconfig users that run azcred: " + strings.Join(t.Targets, ", ")
	case len(files) == 0:
		t.Detail = "no kubeconfig (HOME and KUBECONFIG are unset)"
	default:
		t.Detail = "no kubeconfig user runs azcred"
	}
	if len(legacy) > 0 {
		r.add("kubectl", StatusInfo, "kubeconfig users that use kubelogin or the retired azure auth-provider: "+strings.Join(legacy, ", "), "azcred install kube")
	} else if !t.Configured {
		r.add("kubectl", StatusInfo, t.Detail, "azcred install kube --context KUBE_CONTEXT")
	}
}

// kubeconfigFiles are the files kubectl merges: $KUBECONFIG's list, else ~/.kube/config.
func kubeconfigFiles(getenv store.Getenv) []string {
	var files []string
	for _, f := range filepath.SplitList(getenv("KUBECONFIG")) {
		if f != "" {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		if home := homeDir(getenv); home != "" {
			files = append(files, filepath.Join(home, ".kube", "config"))
		}
	}
	return files
}

// dockerConfig is the part of docker's config.json doctor reads.
type dockerConfig struct {
	CredsStore  string            `json:"credsStore"`
	CredHelpers map[string]string `json:"credHelpers"`
}

const dockerHelper = "docker-credential-azcred"

func (r *DoctorReport) checkDocker(o DoctorOptions) {
	t := ToolInfo{Name: "docker"}
	defer func() { r.Tools = append(r.Tools, t) }()
	dir := o.Getenv("DOCKER_CONFIG")
	if dir == "" {
		if home := homeDir(o.Getenv); home != "" {
			dir = filepath.Join(home, ".docker")
		}
	}
	if dir == "" {
		t.Detail = "no docker config (HOME and DOCKER_CONFIG are unset)"
		return
	}
	t.Config = filepath.Join(dir, "config.json")
	data, err := store.ReadFileLimited(t.Config)
	if errors.Is(err, fs.ErrNotExist) {
		t.Detail = "no docker config file"
		r.add("docker", StatusInfo, "docker does not use azcred (no "+t.Config+")", "azcred install docker --registry REGISTRY")
		return
	}
	var dc dockerConfig
	if err == nil {
		err = json.Unmarshal(store.StripBOM(data), &dc)
	}
	if err != nil {
		t.Detail = "unreadable"
		r.add("docker", StatusProblem, fmt.Sprintf("cannot read docker config %s: %s", t.Config, firstLine(err.Error())), "fix the JSON by hand, or move the file away")
		return
	}
	for host, h := range dc.CredHelpers {
		if h == "azcred" {
			t.Targets = append(t.Targets, host)
		}
	}
	sort.Strings(t.Targets)
	switch {
	case dc.CredsStore == "azcred":
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
	t.Runs = dockerHelper
	t.RunsFound = programExists(dockerHelper, o.LookPath)
	if !t.RunsFound {
		r.add("docker", StatusProblem, "docker is configured to run "+dockerHelper+", which is not on PATH",
			"azcred install docker --registry REGISTRY (it links "+dockerHelper+" beside azcred)")
	}
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

// programBase is a command's name without directory or .exe, lower case.
func programBase(cmd string) string {
	b := strings.ToLower(filepath.Base(strings.ReplaceAll(cmd, `\`, "/")))
	return strings.TrimSuffix(b, ".exe")
}

func homeDir(getenv store.Getenv) string {
	if h := getenv("HOME"); h != "" {
		return h
	}
	return getenv("USERPROFILE")
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
