package helper

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// Each hook's failure shape at the seam the CLI calls, with an empty
// store and no network: what reaches stdout, what reaches stderr, and
// whether the CLI gets an error to print (exit 1) or nothing (exit 0).
func TestHookFailureShapes(t *testing.T) {
	tests := []struct {
		name    string
		stdin   string
		run     func(*Call) error
		stdout  string // substring; "" means stdout stays empty
		stderr  string // substring; "" means stderr stays empty
		wantErr string // "" nil, "exit" ExitStatus(1), else a substring of the error
		hint    bool   // the error carries the fix
	}{
		{name: "git unknown action", run: func(c *Call) error { return c.Git(context.Background(), "frobnicate", "") }},
		{name: "git store", stdin: "protocol=https\nhost=dev.azure.com\nusername=u\npassword=p\n\n",
			run: func(c *Call) error { return c.Git(context.Background(), "store", "") }},
		{name: "git not ours", stdin: "protocol=https\nhost=github.com\n\n",
			run: func(c *Call) error { return c.Git(context.Background(), "get", "pinned") }},
		{name: "git malformed", stdin: "no equals sign\n\n", stderr: "azcred: git: request ignored:",
			run: func(c *Call) error { return c.Git(context.Background(), "get", "") }},
		{name: "git ours without a context", stdin: "protocol=https\nhost=dev.azure.com\npath=contoso/p/_git/r\n\n", stdout: "quit=1\n", wantErr: "no saved context",
			run: func(c *Call) error { return c.Git(context.Background(), "get", "") }},
		{name: "git erase never fails", stdin: "protocol=https\nhost=dev.azure.com\npath=contoso/p/_git/r\n\n",
			run: func(c *Call) error { return c.Git(context.Background(), "erase", "") }},
		{name: "docker not ours", stdin: "https://index.docker.io/v1/", stdout: "credentials not found in native keychain", wantErr: "exit",
			run: func(c *Call) error { return c.Docker(context.Background(), DockerRequest{Action: "get"}) }},
		{name: "docker ACR without a context", stdin: "contoso.azurecr.io", stdout: "no saved context", wantErr: "no saved context",
			run: func(c *Call) error { return c.Docker(context.Background(), DockerRequest{Action: "get"}) }},
		{name: "docker unknown action", stdout: `unknown credential action "frob"`, wantErr: "unknown credential action",
			run: func(c *Call) error { return c.Docker(context.Background(), DockerRequest{Action: "frob"}) }},
		{name: "kube malformed exec info", wantErr: "KUBERNETES_EXEC_INFO",
			run: func(c *Call) error {
				getenv := c.Getenv
				c.Getenv = func(k string) string {
					if k == "KUBERNETES_EXEC_INFO" {
						return "{not json"
					}
					return getenv(k)
				}
				return c.Kube(context.Background(), KubeRequest{})
			}, hint: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := storeEnv(t)
			var out, errb bytes.Buffer
			c := &Call{Stdin: strings.NewReader(tt.stdin), Stdout: &out, Stderr: &errb, Getenv: getenv}
			err := tt.run(c)
			var es ExitStatus
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.wantErr == "exit" && !(errors.As(err, &es) && es == 1):
				t.Errorf("error %v, want ExitStatus(1)", err)
			case tt.wantErr != "" && tt.wantErr != "exit" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
			if tt.hint && Hint(err) == "" {
				t.Errorf("error %v has no hint", err)
			}
			check := func(stream, got, want string) {
				if (want == "" && got != "") || !strings.Contains(got, want) {
					t.Errorf("%s %q, want %q", stream, got, want)
				}
			}
			check("stdout", out.String(), tt.stdout)
			check("stderr", errb.String(), tt.stderr)
		})
	}
}

// storeEnv is a store directory and HOME under t.TempDir, with the file
// keyring backend.
func storeEnv(t *testing.T) func(string) string {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{
		"AZCRED_CONFIG_DIR":      filepath.Join(dir, "config"),
		"AZCRED_KEYRING_BACKEND": "file",
		"HOME":                   filepath.Join(dir, "home"),
	}
	return func(k string) string { return env[k] }
}
