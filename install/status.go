package install

// What each caller's configuration says about azcred, read the way the
// caller reads it, for `azcred doctor`. Nothing here writes: install owns
// the knowledge of these files (their paths, formats and which entries are
// ours) and doctor only asks.

import (
	"context"
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

// GitProbeURL stands for any Azure DevOps repository: git's own URL
// matching then says which helper such a request would reach.
const GitProbeURL = "https://dev.azure.com/x"

// GitState is what git runs for credentials.
type GitState struct {
	// Helper is the credential.helper value that runs azcred: the one for
	// GitProbeURL, else the last credential.<url>.helper that does; "" when
	// none does.
	Helper string
	// URLs are the credential.<url>.helper keys that run azcred, set only
	// when the probe URL's helper is not azcred (`install git --url`).
	URLs []string
	// Other is the probe URL's credential.helper when it is not azcred.
	Other string
	// Program is the program git would run for Helper.
	Program string
}

// GitStatus asks git (the binary at git) which credential helper serves
// Azure DevOps, and which URLs run azcred. An error means git's
// configuration could not be read.
func GitStatus(ctx context.Context, git string) (GitState, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var s GitState
	out, err := exec.CommandContext(ctx, git, "config", "--get-urlmatch", "credential.helper", GitProbeURL).Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) { // 1: no such key
		return s, fmt.Errorf("git config failed: %w", err)
	}
	value := lastLine(string(out))
	if !strings.Contains(value, "azcred") {
		s.Other = value
		s.URLs, value = gitURLsUsingAzcred(ctx, git)
	}
	if strings.Contains(value, "azcred") {
		s.Helper = value
		s.Program = gitHelperProgram(value)
	}
	return s, nil
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

// KubeUser is a kubeconfig user whose exec block runs azcred.
type KubeUser struct {
	Name    string
	Command string
}

// FileError is a config file that could not be read.
type FileError struct {
	File string
	Err  error
}

// KubeState is what the kubeconfig files kubectl merges say about azcred.
type KubeState struct {
	Files      []string    // $KUBECONFIG's list, else ~/.kube/config; none when HOME and KUBECONFIG are unset
	Azcred     []KubeUser  // users that run azcred
	Legacy     []string    // users on kubelogin or the retired azure auth-provider
	Unreadable []FileError // files that exist but are not a kubeconfig
}

// kubeUserList is the part of a kubeconfig KubeStatus reads.
type kubeUserList struct {
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

// KubeStatus reads the kubeconfig files kubectl would merge. env is
// os.Getenv in production.
func KubeStatus(env func(string) string) KubeState {
	var s KubeState
	for _, f := range filepath.SplitList(env("KUBECONFIG")) {
		if f != "" {
			s.Files = append(s.Files, f)
		}
	}
	if len(s.Files) == 0 {
		if home := homeFromEnv(env); home != "" {
			s.Files = append(s.Files, filepath.Join(home, ".kube", "config"))
		}
	}
	for _, f := range s.Files {
		data, err := store.ReadFileLimited(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		var kc kubeUserList
		if err == nil {
			err = yaml.Unmarshal(data, &kc)
		}
		if err != nil {
			s.Unreadable = append(s.Unreadable, FileError{File: f, Err: err})
			continue
		}
		for _, u := range kc.Users {
			switch {
			case u.User.Exec != nil && programBase(u.User.Exec.Command) == "azcred":
				s.Azcred = append(s.Azcred, KubeUser{Name: u.Name, Command: u.User.Exec.Command})
			case u.User.Exec != nil && programBase(u.User.Exec.Command) == "kubelogin",
				u.User.AuthProvider != nil && u.User.AuthProvider.Name == "azure":
				s.Legacy = append(s.Legacy, u.Name)
			}
		}
	}
	return s
}

// DockerState is what docker's config.json says about azcred.
type DockerState struct {
	Config     string   // the config.json; "" when HOME and DOCKER_CONFIG are unset
	Exists     bool     // Config exists
	CredsStore bool     // credsStore is azcred (every registry)
	Registries []string // credHelpers entries that are azcred, sorted
}

// DockerHelperProgram is the program docker runs for the helper "azcred".
const DockerHelperProgram = "docker-credential-azcred"

// DockerStatus reads docker's config.json. env is os.Getenv in
// production. The error is a file docker could not read either.
func DockerStatus(env func(string) string) (DockerState, error) {
	var s DockerState
	if env("DOCKER_CONFIG") == "" && homeFromEnv(env) == "" {
		return s, nil
	}
	s.Config = DockerConfigPath(env)
	data, err := store.ReadFileLimited(s.Config)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	s.Exists = true
	if err != nil {
		return s, err
	}
	cfg, helpers, err := parseDockerConfig(store.StripBOM(data))
	if err != nil {
		return s, err
	}
	for _, host := range helpers.keys {
		if stringValue(helpers.vals[host]) == "azcred" {
			s.Registries = append(s.Registries, host)
		}
	}
	sort.Strings(s.Registries)
	v, _ := cfg.get("credsStore")
	s.CredsStore = stringValue(v) == "azcred"
	return s, nil
}

// programBase is a command's name without directory or .exe, lower case.
func programBase(cmd string) string {
	b := strings.ToLower(filepath.Base(strings.ReplaceAll(cmd, `\`, "/")))
	return strings.TrimSuffix(b, ".exe")
}

// userHome is the home directory the callers use: $HOME, else
// %USERPROFILE%, else the OS's answer ("" when it has none).
func userHome(env func(string) string) string {
	if h := homeFromEnv(env); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}

// homeFromEnv is $HOME, else %USERPROFILE%; "" when neither is set.
func homeFromEnv(env func(string) string) string {
	if h := env("HOME"); h != "" {
		return h
	}
	return env("USERPROFILE")
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

// PipState is what pip's config and azcred's keyring link say.
type PipState struct {
	Config string // pip's user config file
	// Provider is keyring-provider in [global]: what azcred added
	// ("subprocess", Ours set) or the user's own value ("" when unset).
	Provider string
	Ours     bool
	Link     string // azcred's keyring link (PipLinkDir), "" when absent
	// LinkOnPath is whether the link's directory is on PATH, where pip
	// looks for keyring.
	LinkOnPath bool
}

// PipStatus reads pip's user config and looks for azcred's keyring link.
// env is os.Getenv in production.
func PipStatus(env func(string) string) PipState {
	s := PipState{Config: PipConfigPath(env)}
	if f, err := readMarked(s.Config, "global", "keyring-provider", pipMarker); err == nil {
		switch {
		case f.ours >= 0:
			s.Ours, s.Provider = true, markedValue(f.lines[f.ours])
		case f.userSet != "":
			s.Provider = markedValue(f.userSet)
		}
	}
	dir := PipLinkDir(env)
	if _, err := os.Lstat(filepath.Join(dir, KeyringName())); err == nil {
		s.Link = filepath.Join(dir, KeyringName())
	}
	for _, d := range filepath.SplitList(env("PATH")) {
		if d != "" && filepath.Clean(d) == filepath.Clean(dir) {
			s.LinkOnPath = true
		}
	}
	return s
}

// CargoState is what cargo's config says about azcred.
type CargoState struct {
	Config string
	// Ours are the settings azcred added, as "section.key" (e.g.
	// registry.global-credential-providers, registries.NAME.credential-provider).
	Ours []string
}

// CargoStatus reads cargo's user config for the settings azcred added.
// env is os.Getenv in production.
func CargoStatus(env func(string) string) CargoState {
	s := CargoState{Config: CargoConfigPath(env)}
	f, err := readMarked(s.Config, "", "", cargoMarker)
	if err != nil {
		return s
	}
	section := ""
	for i, l := range f.lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") {
			section = strings.Trim(t, "[] ")
			continue
		}
		if k, _, ok := strings.Cut(t, "="); ok && i > 0 && f.isMarker(f.lines[i-1]) {
			s.Ours = append(s.Ours, section+"."+strings.TrimSpace(k))
		}
	}
	return s
}

// markedValue is the value of a "key = value" line, unquoted.
func markedValue(line string) string {
	_, v, _ := strings.Cut(line, "=")
	return strings.Trim(strings.TrimSpace(v), `"'`)
}
