package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azcred/azcred/internal/fakecloud"
)

// startProcess runs the command in-process with a short -ttl and returns its description
// once written, and a channel with its exit code.
func startProcess(t *testing.T, args ...string) (fakecloud.Info, <-chan int) {
	t.Helper()
	info := filepath.Join(t.TempDir(), "info.json")
	code := make(chan int, 1)
	var stdout, stderr bytes.Buffer
	go func() { code <- run(append([]string{"-dir", t.TempDir(), "-info", info}, args...), &stdout, &stderr) }()
	deadline := time.Now().Add(10 * time.Second)
	read := func() (fakecloud.Info, bool) {
		var in fakecloud.Info
		b, err := os.ReadFile(info)
		if err != nil {
			return in, false
		}
		if err := json.Unmarshal(b, &in); err != nil {
			t.Fatal(err)
		}
		return in, true
	}
	for time.Now().Before(deadline) {
		if in, ok := read(); ok {
			return in, code
		}
		select {
		case c := <-code:
			// A short -ttl on a busy machine may end the process between two polls.
			if in, ok := read(); ok {
				code <- c
				return in, code
			}
			t.Fatalf("exited %d without writing -info: %s", c, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatal("no -info file")
	return fakecloud.Info{}, nil
}

func client(t *testing.T, caFile string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func TestServesUntilTTL(t *testing.T) {
	in, code := startProcess(t, "-ttl", "1s")
	if in.Tenant == "" || in.User == "" || in.ClientID == "" || in.Subscription == "" || in.MSIHeader == "" {
		t.Errorf("info = %+v", in)
	}
	resp, err := client(t, in.CAFile).Get(in.Authority + "/" + in.Tenant + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("openid configuration: %s", resp.Status)
	}
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("exit %d", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop after -ttl")
	}
}

func TestSeedFile(t *testing.T) {
	dir := t.TempDir()
	seed := `{
	  "tenants": [{"id": "aaaaaaaa-0000-4000-8000-00000000000a", "display_name": "Seeded"}],
	  "users": [{"upn": "bob@fake.example", "home_tenant": "aaaaaaaa-0000-4000-8000-00000000000a"}],
	  "interactive_user": "bob@fake.example",
	  "service_principals": [
	    {"tenant": "aaaaaaaa-0000-4000-8000-00000000000a", "client_id": "c0c0c0c0-0000-4000-8000-00000000000c", "new_cert_file": "sp.pem"},
	    {"tenant": "aaaaaaaa-0000-4000-8000-00000000000a", "client_id": "f0f0f0f0-0000-4000-8000-00000000000f", "federated": true, "federated_token_file": "fed.jwt"}
	  ],
	  "subscriptions": [{"id": "cccccccc-0000-4000-8000-00000000000c", "name": "Seeded Sub", "tenant": "aaaaaaaa-0000-4000-8000-00000000000a"}],
	  "token_lifetime": "2m"
	}`
	path := filepath.Join(dir, "seed.json")
	if err := os.WriteFile(path, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	in, code := startProcess(t, "-seed", path, "-ttl", "2s")
	if in.User != "bob@fake.example" || in.ClientID != "c0c0c0c0-0000-4000-8000-00000000000c" {
		t.Errorf("info = %+v", in)
	}
	pem, err := os.ReadFile(filepath.Join(dir, "sp.pem"))
	if err != nil || !strings.Contains(string(pem), "CERTIFICATE") || !strings.Contains(string(pem), "PRIVATE KEY") {
		t.Errorf("sp.pem: %v", err)
	}
	if jwt, err := os.ReadFile(filepath.Join(dir, "fed.jwt")); err != nil || strings.Count(string(jwt), ".") != 2 {
		t.Errorf("fed.jwt: %v", err)
	}
	<-code
}

func TestBadFlags(t *testing.T) {
	tests := [][]string{{"-ttl", "0s"}, {"-seed", "/nonexistent/seed.json"}, {"-no-such-flag"}, {"browse"}}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			if c := run(args, &out, &errb); c == 0 {
				t.Errorf("exit 0, stderr %q", errb.String())
			}
		})
	}
}
