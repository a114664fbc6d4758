package main

// kubectl runs the exec plugin once per command, so the cost of a warm
// `azcred kube` (a cache hit: no network) is start-up plus reading the
// store. The budget is 3x the start-up of a hello-world Go binary;
// this benchmark measures both on the same machine and logs the ratio:
//
//	go test -run '^$' -bench BenchmarkKubeWarm -benchtime 50x .
//
// It is a benchmark, not a test, because timings on a shared machine are
// noisy; it builds real binaries, as kubectl would run them.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azcred/azcred/internal/fakecloud"
)

const helloWorld = `package main

import "fmt"

func main() { fmt.Println("hello") }
`

func BenchmarkKubeWarm(b *testing.B) {
	dir := b.TempDir()
	azcred := filepath.Join(dir, "azcred")
	goBuild(b, "", "-o", azcred, ".")
	helloDir := filepath.Join(dir, "hello")
	if err := os.MkdirAll(helloDir, 0o700); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(helloDir, "main.go"), []byte(helloWorld), 0o600); err != nil {
		b.Fatal(err)
	}
	hello := filepath.Join(dir, "hello-world")
	goBuild(b, helloDir, "-o", hello, "main.go")

	if err := os.MkdirAll(filepath.Join(dir, "cloud"), 0o700); err != nil {
		b.Fatal(err)
	}
	c, err := fakecloud.Start(fakecloud.Options{Dir: filepath.Join(dir, "cloud")})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	c.AddTenant(tenantContoso, "Contoso")
	if _, err := c.AddServicePrincipal(fakecloud.SP{Tenant: tenantContoso, ClientID: spClientID, Secret: spSecret}); err != nil {
		b.Fatal(err)
	}
	env := append(os.Environ(),
		"HOME="+filepath.Join(dir, "home"),
		"AZCRED_CONFIG_DIR="+filepath.Join(dir, "config"),
		"AZCRED_KEYRING_BACKEND=file",
		"SSL_CERT_FILE="+c.CAFile,
		"AZCRED_CONTEXT=", "AZCRED_SESSION=",
	)
	run := func(stdin string, args ...string) {
		cmd := exec.Command(azcred, args...)
		cmd.Env, cmd.Stdin = env, strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("azcred %s: %v\n%s", args[0], err, out)
		}
	}
	run("", "environment", "add", "Fake", "--authority", c.AuthorityURL+"/", "--resource-manager", c.ARMURL+"/")
	run(spSecret+"\n", "login", "--service-principal", "--environment", "Fake", "--tenant", tenantContoso,
		"--client-id", spClientID, "--secret-stdin", "--name", "bench")
	info := `{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}`
	env = append(env, "KUBERNETES_EXEC_INFO="+info)
	run("", "kube")  // fills the cache: every timed call is a hit
	run("", "token") // likewise for the management scope
	c.ResetCounts()

	var perOp [4]time.Duration
	for i, bin := range []struct {
		name string
		argv []string
	}{
		{"hello-world", []string{hello}},
		{"azcred-version", []string{azcred, "version"}},
		{"azcred-kube", []string{azcred, "kube"}},
		{"azcred-token", []string{azcred, "token"}},
	} {
		b.Run(bin.name, func(b *testing.B) {
			for b.Loop() {
				cmd := exec.Command(bin.argv[0], bin.argv[1:]...)
				cmd.Env = env
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%s: %v\n%s", bin.name, err, out)
				}
			}
			perOp[i] = b.Elapsed() / time.Duration(b.N)
		})
	}
	if n := c.Count("token"); n != 0 {
		b.Errorf("the warm calls made %d token requests; a cache hit must make none", n)
	}
	if perOp[0] > 0 {
		b.Logf("hello-world %v/op; azcred version %v/op (%.2fx); azcred kube, warm, %v/op: %.2fx (budget 3x); azcred token, warm, %v/op",
			perOp[0], perOp[1], float64(perOp[1])/float64(perOp[0]), perOp[2], float64(perOp[2])/float64(perOp[0]), perOp[3])
	}
}

func goBuild(b *testing.B, dir string, args ...string) {
	b.Helper()
	cmd := exec.Command("go", append([]string{"build"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}
