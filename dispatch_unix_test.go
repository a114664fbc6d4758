//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/azcred/azcred/protocols"
)

// Every hook's stdout carries its protocol's reply and nothing else on
// every failure path too: an unsafe store, a FIFO config.json, a vault key
// that does not open the vault, an authority that is down (the first failure and
// the remembered one), for git, kube, docker, cargo, keyring and token.
func TestHookFailuresKeepStdoutToProtocol(t *testing.T) {
	devops := "https://pkgs.dev.azure.com/contoso/_packaging/f/"
	hooks := []struct {
		name  string
		argv  []string
		stdin string
		// ok says whether out is a well-formed failure reply.
		ok func(out string) bool
	}{
		{"git", []string{"git-credential-azcred", "get"}, "protocol=https\nhost=dev.azure.com\npath=contoso/p/_git/r\n\n",
			func(out string) bool { return out == "" || out == "quit=1\n" }},
		{"kube", []string{"azcred", "kube"}, "", func(out string) bool { return out == "" }},
		{"docker", []string{"docker-credential-azcred", "get"}, "contoso.azurecr.io\n",
			func(out string) bool {
				return strings.Count(out, "\n") <= 1 && out != "" && !strings.Contains(out, "hint") && !strings.HasPrefix(out, "azcred:")
			}},
		{"cargo", []string{"azcred", "--cargo-plugin"},
			`{"v":1,"registry":{"index-url":"sparse+` + devops + `Cargo/index/"},"kind":"get","operation":"read"}` + "\n",
			func(out string) bool {
				lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
				for _, l := range lines {
					if !json.Valid([]byte(l)) {
						return false
					}
				}
				return len(lines) == 2 && strings.Contains(lines[1], `"Err"`)
			}},
		{"keyring", []string{"keyring", "get", devops + "pypi/simple/", "VssSessionToken"}, "", func(out string) bool { return out == "" }},
		{"token", []string{"azcred", "token"}, "", func(out string) bool { return out == "" }},
	}
	implicit := map[string]string{
		"AZURE_CLIENT_ID":      "5b5b5b5b-0000-4000-8000-000000000005",
		"AZURE_TENANT_ID":      "aaaaaaaa-0000-4000-8000-00000000000a",
		"AZURE_CLIENT_SECRET":  "not-a-real-secret",
		"AZURE_AUTHORITY_HOST": "https://127.0.0.1:1/",
	}
	states := []struct {
		name  string
		setup func(t *testing.T, dir string) map[string]string
	}{
		{"store writable by others", func(t *testing.T, dir string) map[string]string {
			os.Mkdir(dir, 0o700)
			os.Chmod(dir, 0o777)
			return implicit
		}},
		{"config.json a FIFO", func(t *testing.T, dir string) map[string]string {
			os.Mkdir(dir, 0o700)
			if err := syscall.Mkfifo(filepath.Join(dir, "config.json"), 0o600); err != nil {
				t.Fatal(err)
			}
			return implicit
		}},
		{"vault key wrong", func(t *testing.T, dir string) map[string]string {
			// A vault made with one passphrase, read with another.
			env := map[string]string{"AZCRED_CONFIG_DIR": dir, "AZCRED_KEYRING_BACKEND": "file", "AZCRED_KEYRING_PASSPHRASE": "right"}
			var out, errb bytes.Buffer
			if code := run([]string{"docker-credential-azcred", "store"}, strings.NewReader(`{"ServerURL":"contoso.azurecr.io","Username":"00000000-0000-0000-0000-000000000000","Secret":"s"}`),
				&out, &errb, func(k string) string { return env[k] }); code != 0 {
				t.Fatalf("docker store: exit %d, %s", code, errb.String())
			}
			env = map[string]string{"AZCRED_KEYRING_PASSPHRASE": "wrong"}
			for k, v := range implicit {
				env[k] = v
			}
			return env
		}},
		{"authority down", func(t *testing.T, dir string) map[string]string { return implicit }},
	}
	for _, st := range states {
		t.Run(st.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "store")
			vars := map[string]string{"AZCRED_CONFIG_DIR": dir, "AZCRED_KEYRING_BACKEND": "file", "AZCRED_TIMEOUT": "5s",
				"KUBERNETES_EXEC_INFO": `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false,"cluster":{"server":"https://x.hcp.eastus.azmk8s.io:443"}}}`}
			for k, v := range st.setup(t, dir) {
				vars[k] = v
			}
			env := func(k string) string { return vars[k] }
			// Twice: the second run answers from the remembered failure.
			for round := 1; round <= 2; round++ {
				for _, h := range hooks {
					var out, errb bytes.Buffer
					run(h.argv, strings.NewReader(h.stdin), &out, &errb, env)
					if !h.ok(out.String()) {
						t.Errorf("round %d, %s: stdout %q is not %s's failure reply (stderr %q)", round, h.name, out.String(), h.name, errb.String())
					}
					if out.String() != protocols.NotFound+"\n" && !strings.Contains(errb.String()+out.String(), "azcred") && !strings.Contains(out.String(), "Err") {
						t.Errorf("round %d, %s: no reason given (stdout %q, stderr %q)", round, h.name, out.String(), errb.String())
					}
					t.Logf("round %d, %s: stdout %q, stderr %q", round, h.name, out.String(), errb.String())
				}
			}
		})
	}
}
