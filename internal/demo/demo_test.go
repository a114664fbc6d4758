package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/azcred/azcred/internal/fakecloud"
)

// needTools skips when a real client is missing; CI installs all three
// (scripts/install-test-tools.sh).
func needTools(t *testing.T) {
	t.Helper()
	for _, tool := range requiredTools {
		if _, err := lookTool(tool.name); err != nil {
			t.Skipf("the demo drives real %s, which is not installed: %s", tool.name, tool.hint)
		}
	}
}

// jwtLike matches anything shaped like an access token, issued by the fake or not.
var jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`)

// checkNoSecrets fails if the output holds any secret the cloud issued or was given.
func checkNoSecrets(t *testing.T, out string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("the output holds a secret the fake cloud issued (%d chars, starts %.6q)", len(s), s)
		}
	}
	if m := jwtLike.FindString(out); m != "" {
		t.Errorf("the output holds something shaped like a token: %.12q...", m)
	}
}

// checkRemoved fails unless the demo left nothing in its temp parent.
func checkRemoved(t *testing.T, parent string) {
	t.Helper()
	left, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("left behind: %s", e.Name())
	}
}

func TestDemo(t *testing.T) {
	needTools(t)
	parent := t.TempDir()
	var secrets []string
	var clientSecret string
	var out bytes.Buffer
	// build: the test runs this checkout's azcred, whatever is on PATH.
	code := run(context.Background(), &out, options{build: true, tempParent: parent, timeout: 3 * time.Minute,
		inspect: func(w *world) { secrets, clientSecret = w.cloud.IssuedSecrets(), w.secret }})
	text := out.String()
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, text)
	}

	// Every step is announced, in order.
	at := 0
	for _, s := range steps {
		i := strings.Index(text[at:], "==> "+s.title+"\n")
		if i < 0 {
			t.Errorf("step %q not narrated (after offset %d)", s.title, at)
			continue
		}
		at += i
	}
	// The commands a user would type are shown, and the real tools did their job.
	for _, want := range []string{
		"$ azcred environment add demo --authority https://127.0.0.1:",
		"$ azcred login --service-principal --environment demo --tenant " + demoTenant + " --client-id " + demoClient + " --secret-stdin --name demo",
		"$ azcred context list",
		"$ azcred install git --url https://127.0.0.1:",
		"$ git clone https://127.0.0.1:",
		"Seeded by fakecloud", // the cloned README
		"$ azcred install kube --context demo",
		"$ kubectl get --raw /api/v1/namespaces",
		`"name":"demo"`, // the fake cluster's namespace list
		"$ azcred install docker --registry 127.0.0.1:",
		"$ crane manifest 127.0.0.1:",
		`"schemaVersion":2`,
		"refs/heads/main", // git ls-remote in the cached round
		"Entra ID 0, ACR token exchange 0",
		"==> done:",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// The leak check must have something to look for: at least the client secret and the
	// tokens issued for ARM, DevOps, AKS and ACR.
	if clientSecret == "" || len(secrets) < 5 {
		t.Fatalf("the cloud reported %d secrets; the leak check would prove nothing", len(secrets))
	}
	checkNoSecrets(t, text, secrets)
	checkRemoved(t, parent)
	if t.Failed() {
		t.Logf("output:\n%s", text)
	}
}

// TestDemoFails: a failing step ends the demo with a message naming the step, exit 1,
// no secret printed and nothing left behind.
func TestDemoFails(t *testing.T) {
	needTools(t)
	tests := []struct {
		name    string
		opts    func(cancel context.CancelFunc) options
		want    string
		secrets bool // whether the fake cloud was reached
	}{
		{
			name: "git host answers 500",
			opts: func(context.CancelFunc) options {
				return options{build: true, prepare: func(w *world) { w.cloud.SetFault("git", fakecloud.Fault{Status: 500}) }}
			},
			want:    "demo: error: git: cloning a repository through azcred: git: exit status",
			secrets: true,
		},
		{
			name: "interrupted",
			opts: func(cancel context.CancelFunc) options {
				// What Ctrl-C does: main's signal context is canceled mid-run.
				return options{build: true, prepare: func(*world) { cancel() }}
			},
			want:    "context canceled",
			secrets: true,
		},
		{
			name: "no azcred binary",
			opts: func(context.CancelFunc) options {
				return options{azcred: "/nonexistent/azcred"}
			},
			want:    "demo: error: demo: azcred binary:",
			secrets: true, // the client secret, given to the cloud before azcred is looked for
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			o := tt.opts(cancel)
			o.tempParent = parent
			var secrets []string
			o.inspect = func(w *world) { secrets = w.cloud.IssuedSecrets() }
			var out bytes.Buffer
			code := run(ctx, &out, o)
			text := out.String()
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if !strings.Contains(text, tt.want) {
				t.Errorf("output lacks %q", tt.want)
			}
			if strings.Contains(text, "==> done") {
				t.Error("a failed demo says it is done")
			}
			if tt.secrets && len(secrets) == 0 {
				t.Error("the fake cloud issued nothing; the leak check would prove nothing")
			}
			checkNoSecrets(t, text, secrets)
			checkRemoved(t, parent)
			if t.Failed() {
				t.Logf("output:\n%s", text)
			}
		})
	}
}

func TestShellJoin(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"git", "clone", "https://127.0.0.1:1/a/_git/b"}, "git clone https://127.0.0.1:1/a/_git/b"},
		{[]string{"kubectl", "-o", "jsonpath={.x} {.y}"}, "kubectl -o 'jsonpath={.x} {.y}'"},
		{[]string{"echo", "it's", ""}, `echo 'it'\''s' ''`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := shellJoin(tt.args); got != tt.want {
				t.Errorf("shellJoin(%q) = %q, want %q", tt.args, got, tt.want)
			}
		})
	}
}

func TestDropped(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"AZCRED_CONTEXT", true},
		{"AZURE_CLIENT_SECRET", true},
		{"IDENTITY_ENDPOINT", true},
		{"KUBECONFIG", true},
		{"GIT_ASKPASS", true},
		{"DOCKER_CONFIG", true},
		{"SSL_CERT_DIR", true},
		{"PATH", false},
		{"GOPATH", false},
		{"LANG", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := dropped(tt.key); got != tt.want {
				t.Errorf("dropped(%q) = %v, want %v", tt.key, got, tt.want)
			}
		})
	}
}

// A fresh machine without crane: the demo says so, skips crane's steps,
// and still reaches its last line with git and kubectl.
func TestDemoSkipsMissingClient(t *testing.T) {
	needTools(t)
	bin := t.TempDir()
	for _, tool := range []string{"git", "kubectl", "go"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Skipf("%s: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOMODCACHE", strings.TrimSpace(string(modcache)))
	t.Setenv("GOPATH", t.TempDir()) // no crane in $(go env GOPATH)/bin either
	t.Setenv("PATH", bin+string(os.PathListSeparator)+"/usr/bin:/bin")
	if _, err := lookTool("crane"); err == nil {
		t.Skip("crane is in /usr/bin or /bin")
	}
	parent := t.TempDir()
	var out bytes.Buffer
	code := run(context.Background(), &out, options{build: true, tempParent: parent, timeout: 3 * time.Minute})
	text := out.String()
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, text)
	}
	for _, want := range []string{"crane is not on PATH: skipping its steps (to include them: go install", "$ git clone", "$ kubectl get", "==> done: git, kubectl authenticated through azcred"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "$ crane") {
		t.Errorf("crane ran although it is missing:\n%s", text)
	}
	checkRemoved(t, parent)
}
