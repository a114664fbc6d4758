package main

import (
	"bytes"
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

// TestServices: -repo, -cluster and -acr start their services, the description names them,
// and each one refuses a request without a token the way the real service does.
func TestServices(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("the fake git host runs git http-backend; git is not installed")
	}
	in, code := startProcess(t, "-ttl", "8s",
		"-repo", "demo/proj/hello", "-cluster", "aks1", "-cluster", "aks2=eeeeeeee-0000-4000-8000-00000000000e",
		"-acr", "demo", "-acr-image", "hello:v1")
	for _, name := range []string{"git", "kube-aks1", "kube-aks2", "acr-demo"} {
		if !strings.HasPrefix(in.Services[name], "https://127.0.0.1:") {
			t.Errorf("services[%q] = %q", name, in.Services[name])
		}
	}
	hc := client(t, in.CAFile)
	tests := []struct {
		name, url string
		header    string // a header the 401 must carry
		want      string
	}{
		{"git", in.Services["git"] + "/demo/proj/_git/hello/info/refs?service=git-upload-pack", "X-VSS-ResourceTenant", in.Tenant},
		{"kube-aks1", in.Services["kube-aks1"] + "/api/v1/namespaces", "", ""},
		{"kube-aks2", in.Services["kube-aks2"] + "/version", "", ""},
		{"acr-demo", in.Services["acr-demo"] + "/v2/hello/manifests/v1", "Www-Authenticate", "Bearer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := hc.Get(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("GET without a token: %s, want 401", resp.Status)
			}
			if tt.header != "" && !strings.Contains(resp.Header.Get(tt.header), tt.want) {
				t.Errorf("%s = %q, want it to hold %q", tt.header, resp.Header.Get(tt.header), tt.want)
			}
		})
	}
	<-code
}

// TestServiceFlagErrors: malformed service flags stop the process before it serves.
func TestServiceFlagErrors(t *testing.T) {
	tests := [][]string{
		{"-repo", "demo/hello"},
		{"-repo", "a/b/c/d"},
		{"-cluster", "=eeeeeeee-0000-4000-8000-00000000000e"},
		{"-acr", ""},
		{"-acr", "demo", "-acr-image", "hello"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			if c := run(append([]string{"-dir", t.TempDir(), "-ttl", "5s"}, args...), &out, &errb); c == 0 {
				t.Errorf("exit 0, stderr %q", errb.String())
			}
		})
	}
}
