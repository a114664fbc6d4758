package install

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestGitHelperProgram(t *testing.T) {
	tests := []struct{ value, want string }{
		{"azcred", "git-credential-azcred"},
		{"azcred --context work", "git-credential-azcred"},
		{"/opt/bin/git-credential-azcred", "/opt/bin/git-credential-azcred"},
		{"!'/home/fake user/bin/azcred' git", "/home/fake user/bin/azcred"},
		{"!azcred git", "azcred"},
		{"  !  /usr/bin/azcred git ", "/usr/bin/azcred"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			if got := gitHelperProgram(tt.value); got != tt.want {
				t.Errorf("gitHelperProgram(%q) = %q, want %q", tt.value, got, tt.want)
			}
		})
	}
}

func TestProgramBase(t *testing.T) {
	tests := []struct{ cmd, want string }{
		{"azcred", "azcred"},
		{"/usr/local/bin/azcred", "azcred"},
		{`C:\Tools\AzCred.exe`, "azcred"},
		{"kubelogin", "kubelogin"},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			if got := programBase(tt.cmd); got != tt.want {
				t.Errorf("programBase(%q) = %q, want %q", tt.cmd, got, tt.want)
			}
		})
	}
}

func TestKubeStatus(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "a")
	broken := filepath.Join(dir, "b")
	kc := `apiVersion: v1
kind: Config
users:
- name: az
  user:
    exec: {command: /opt/bin/azcred, args: [kube]}
- name: old
  user:
    auth-provider: {name: azure}
- name: kl
  user:
    exec: {command: kubelogin}
- name: other
  user:
    token: fake-token-not-real
`
	if err := os.WriteFile(good, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(broken, []byte("users: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	env := map[string]string{"KUBECONFIG": good + string(os.PathListSeparator) + broken + string(os.PathListSeparator) + missing}
	s := KubeStatus(func(k string) string { return env[k] })
	if want := []KubeUser{{Name: "az", Command: "/opt/bin/azcred"}}; !reflect.DeepEqual(s.Azcred, want) {
		t.Errorf("Azcred = %+v, want %+v", s.Azcred, want)
	}
	if want := []string{"old", "kl"}; !reflect.DeepEqual(s.Legacy, want) {
		t.Errorf("Legacy = %q, want %q", s.Legacy, want)
	}
	if len(s.Unreadable) != 1 || s.Unreadable[0].File != broken {
		t.Errorf("Unreadable = %+v, want only %s", s.Unreadable, broken)
	}
	if len(s.Files) != 3 {
		t.Errorf("Files = %q", s.Files)
	}
	if s := KubeStatus(func(string) string { return "" }); len(s.Files) != 0 {
		t.Errorf("with HOME and KUBECONFIG unset, Files = %q", s.Files)
	}
}

func TestDockerStatus(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DOCKER_CONFIG": dir}
	getenv := func(k string) string { return env[k] }
	if s, err := DockerStatus(getenv); err != nil || s.Exists || s.Config != filepath.Join(dir, "config.json") {
		t.Fatalf("no file: %+v, %v", s, err)
	}
	cfg := "\xef\xbb\xbf" + `{"credsStore":"desktop","credHelpers":{"b.azurecr.io":"azcred","a.azurecr.io":"azcred","x.example":"ecr-login"}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := DockerStatus(getenv)
	if err != nil || !s.Exists || s.CredsStore || !reflect.DeepEqual(s.Registries, []string{"a.azurecr.io", "b.azurecr.io"}) {
		t.Errorf("got %+v, %v", s, err)
	}
	if s, _ := DockerStatus(func(string) string { return "" }); s.Config != "" {
		t.Errorf("with HOME and DOCKER_CONFIG unset, Config = %q", s.Config)
	}
}

func TestPipAndCargoStatus(t *testing.T) {
	home := t.TempDir()
	exe := filepath.Join(home, "bin", "azcred")
	if err := os.MkdirAll(filepath.Dir(exe), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": home, "PATH": "/usr/bin"}
	getenv := func(k string) string { return env[k] }
	if s := PipStatus(getenv); s.Provider != "" || s.Ours || s.Link != "" {
		t.Fatalf("before install: %+v", s)
	}
	if s := CargoStatus(getenv); len(s.Ours) != 0 {
		t.Fatalf("before install: %+v", s)
	}
	linkDir := PipLinkDir(getenv)
	if _, err := InstallPip(PipOptions{LinkDir: linkDir, Exe: exe, ConfigFile: PipConfigPath(getenv), Path: env["PATH"]}); err != nil {
		t.Fatal(err)
	}
	s := PipStatus(getenv)
	if !s.Ours || s.Provider != "subprocess" || s.Link != filepath.Join(linkDir, KeyringName()) || s.LinkOnPath {
		t.Errorf("after install: %+v", s)
	}
	env["PATH"] = linkDir + string(os.PathListSeparator) + "/usr/bin"
	if s := PipStatus(getenv); !s.LinkOnPath {
		t.Errorf("with the link directory on PATH: %+v", s)
	}
	for _, reg := range []string{"", "fake-feed"} {
		if _, _, err := InstallCargo(CargoOptions{ConfigFile: CargoConfigPath(getenv), Registry: reg, Command: "azcred cargo"}); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"registry.global-credential-providers", "registries.fake-feed.credential-provider"}
	if s := CargoStatus(getenv); !reflect.DeepEqual(s.Ours, want) {
		t.Errorf("cargo after install: %q, want %q", s.Ours, want)
	}
}
