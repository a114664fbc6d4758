package install

import (
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const fakeKubeToken = "fake-kube-token-for-tests"

// TestKubectlRunsConvertedConfig has the real kubectl read a converted kubeconfig, run the
// exec plugin (a script standing in for azcred) and send its token to a fake API server.
func TestKubectlRunsConvertedConfig(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl not on PATH")
	}
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in plugin is a shell script")
	}
	// TLS because client-go runs exec plugins only for https servers.
	api := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+fakeKubeToken {
			http.Error(w, `{"kind":"Status","status":"Failure","code":401}`, http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"major":"1","minor":"30","gitVersion":"v1.30.0-fake"}`)
	}))
	defer api.Close()

	dir := t.TempDir()
	record := filepath.Join(dir, "plugin-call")
	plugin := filepath.Join(dir, "azcred")
	script := fmt.Sprintf(`#!/bin/sh
printf '%%s\n' "$*" "$KUBERNETES_EXEC_INFO" > %q
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}'
`, record, fakeKubeToken)
	if err := os.WriteFile(plugin, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	ca := base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: api.Certificate().Raw}))
	legacy := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: %s
    certificate-authority-data: %s
contexts:
- name: fake
  context: {cluster: fake, user: azure-user}
current-context: fake
users:
- name: azure-user
  user:
    auth-provider:
      name: azure
      config:
        apiserver-id: %s
        tenant-id: %s
        access-token: fake-access-token-not-real
`, api.URL, ca, AKSServerID, fakeTenant)
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(legacy), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := InstallKube(path, KubeOptions{Command: plugin}, false, nil); err != nil {
		t.Fatal(err)
	}

	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(kubectl, append([]string{"--kubeconfig", path}, args...)...)
		cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if got := run("config", "view", "--raw", "-o", "jsonpath={.users[0].user.exec.command}"); got != plugin {
		t.Errorf("kubectl reads exec command %q, want %q", got, plugin)
	}
	if got := run("get", "--raw", "/version"); !strings.Contains(got, "v1.30.0-fake") {
		t.Errorf("kubectl get --raw /version = %q", got)
	}
	call, err := os.ReadFile(record)
	if err != nil {
		t.Fatalf("the plugin was not run: %v", err)
	}
	lines := strings.SplitN(string(call), "\n", 2)
	if want := "kube --server-id " + AKSServerID + " --tenant " + fakeTenant; lines[0] != want {
		t.Errorf("plugin args = %q, want %q", lines[0], want)
	}
	// provideClusterInfo: kubectl hands over the server, which azcred uses for bindings.
	if len(lines) < 2 || !strings.Contains(lines[1], api.URL) || !strings.Contains(lines[1], `"interactive":false`) {
		t.Errorf("KUBERNETES_EXEC_INFO = %q, want the cluster server and interactive false", lines[1])
	}
}
