package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// stepTimeout bounds one command; the fake answers in milliseconds, so only a hang gets near.
const stepTimeout = 45 * time.Second

// step is one thing a user would do, with the line that announces it.
type step struct {
	title string
	tool  string // the client it needs ("": azcred alone); skipped when missing
	do    func(r *runner) error
}

// steps is the story, in order. Every title starts with the tool it is about, so the
// narration reads as a tour and a failure names where it happened.
var steps = []step{
	{"adding the fake cloud as an azcred environment", "", (*runner).addEnvironment},
	{"signing in as a service principal", "", (*runner).login},
	{"listing the saved contexts", "", (*runner).listContexts},
	{"git: binding the Azure DevOps organization to the context", "git", (*runner).bindDevOps},
	{"git: making azcred git's credential helper for the host", "git", (*runner).installGit},
	{"git: cloning a repository through azcred", "git", (*runner).gitClone},
	{"kubectl: binding the cluster to the context", "kubectl", (*runner).bindCluster},
	{"kubectl: writing a kubeconfig whose user runs azcred", "kubectl", (*runner).kubeconfig},
	{"kubectl: listing namespaces through azcred", "kubectl", (*runner).kubectlGet},
	{"crane: binding the registry to the context", "crane", (*runner).bindRegistry},
	{"crane: making azcred the Docker credential helper for the registry", "crane", (*runner).installDocker},
	{"crane: reading an image manifest through azcred", "crane", (*runner).craneManifest},
	{"again: served from azcred's token cache", "", (*runner).cached},
}

// runner runs the tools in the sandbox against the world.
type runner struct {
	ctx context.Context
	n   *narrator
	sb  *sandbox
	w   *world
}

func runSteps(ctx context.Context, n *narrator, sb *sandbox, w *world) error {
	r := &runner{ctx: ctx, n: n, sb: sb, w: w}
	for _, s := range steps {
		if !sb.has(s.tool) {
			continue
		}
		n.step("%s", s.title)
		if err := s.do(r); err != nil {
			return fmt.Errorf("%s: %w", s.title, err)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: stopped: %w", s.title, context.Cause(ctx))
		}
	}
	return nil
}

// exec runs a tool as the user would type it, in dir (the sandbox's work dir when empty),
// shows the command line and the tool's output as it comes, and returns that output.
// stdin, when set, is piped in and never shown; stdinNote says what it was.
func (r *runner) exec(dir, stdin, stdinNote string, args ...string) (string, error) {
	r.n.command(args, stdinNote)
	path, ok := r.sb.tools[args[0]]
	if !ok {
		return "", fmt.Errorf("demo: no path for %s", args[0])
	}
	ctx, cancel := context.WithTimeout(r.ctx, stepTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args[1:]...)
	cmd.Args[0] = args[0]
	cmd.Env = r.sb.env
	cmd.Dir = dir
	if dir == "" {
		cmd.Dir = r.sb.path("work")
	}
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	// git leaves helpers running that hold the pipes; do not wait for them forever.
	cmd.WaitDelay = 5 * time.Second
	var keep bytes.Buffer
	ind := r.n.output(&keep)
	cmd.Stdout, cmd.Stderr = ind, ind
	err := cmd.Run()
	ind.flush()
	if err != nil {
		if r.ctx.Err() != nil {
			return keep.String(), fmt.Errorf("%s: stopped: %w", args[0], context.Cause(r.ctx))
		}
		if ctx.Err() != nil {
			return keep.String(), fmt.Errorf("%s: no answer within %s", args[0], stepTimeout)
		}
		return keep.String(), fmt.Errorf("%s: %w", args[0], err)
	}
	return keep.String(), nil
}

func (r *runner) run(args ...string) error {
	_, err := r.exec("", "", "", args...)
	return err
}

func (r *runner) addEnvironment() error {
	return r.run("azcred", "environment", "add", "demo",
		"--authority", r.w.cloud.AuthorityURL+"/", "--resource-manager", r.w.cloud.ARMURL+"/")
}

func (r *runner) login() error {
	_, err := r.exec("", r.w.secret+"\n", "the client secret goes to stdin, never onto the command line",
		"azcred", "login", "--service-principal", "--environment", "demo",
		"--tenant", demoTenant, "--client-id", demoClient, "--secret-stdin", "--name", demoContext)
	return err
}

func (r *runner) listContexts() error {
	return r.run("azcred", "context", "list")
}

func (r *runner) bindDevOps() error {
	r.n.note("the fake host is 127.0.0.1, not dev.azure.com, so azcred is told which context serves it")
	return r.run("azcred", "bind", r.w.devops.URL+"/"+demoOrg, demoContext)
}

func (r *runner) installGit() error {
	return r.run("azcred", "install", "git", "--url", r.w.devops.URL)
}

func (r *runner) gitClone() error {
	if err := r.run("git", "clone", r.w.repoURL, "hello"); err != nil {
		return err
	}
	r.n.command([]string{"cat", "hello/README.md"}, "")
	readme, err := os.ReadFile(r.sb.path("work", "hello", "README.md"))
	if err != nil {
		return fmt.Errorf("the clone has no README: %w", err)
	}
	ind := r.n.output(&bytes.Buffer{})
	ind.Write(readme)
	ind.flush()
	return nil
}

func (r *runner) bindCluster() error {
	return r.run("azcred", "bind", r.w.cluster.URL, demoContext)
}

// kubeconfig writes what a cluster admin would hand out (the cluster, no credentials) and
// lets azcred fill in the user, as it would convert one from az aks get-credentials.
func (r *runner) kubeconfig() error {
	path := filepath.Join(r.sb.path("home"), ".kube", "config")
	kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: demo
  cluster:
    server: %s
    certificate-authority-data: %s
contexts:
- name: demo
  context:
    cluster: demo
    user: demo
current-context: demo
users:
- name: demo
  user: {}
`, r.w.cluster.URL, r.w.cluster.CAData)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := os.WriteFile(path, []byte(kc), 0o600); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	r.n.note("wrote ~/.kube/config: cluster demo at %s, a user with no credentials yet", r.w.cluster.URL)
	if err := r.run("azcred", "install", "kube", "--context", "demo"); err != nil {
		return err
	}
	return r.run("kubectl", "config", "view", "--minify", "-o", "jsonpath={.users[0].user.exec.command} {.users[0].user.exec.args}")
}

func (r *runner) kubectlGet() error {
	return r.run("kubectl", "get", "--raw", "/api/v1/namespaces")
}

func (r *runner) bindRegistry() error {
	return r.run("azcred", "bind", r.w.acr.Host, demoContext)
}

func (r *runner) installDocker() error {
	return r.run("azcred", "install", "docker", "--registry", r.w.acr.Host)
}

func (r *runner) craneManifest() error {
	return r.run("crane", "manifest", r.w.acr.Host+"/"+demoImage+":"+demoTag)
}

// cached runs each tool once more with the fake's counters zeroed: the tools reach their
// servers, but azcred answers from its cache, so Entra ID and ACR's exchange see nothing.
func (r *runner) cached() error {
	c := r.w.cloud
	c.ResetCounts()
	again := []struct {
		tool, service string
		args          []string
	}{
		{"git", "git", []string{"git", "ls-remote", r.w.repoURL}},
		{"kubectl", "kube-demo", []string{"kubectl", "get", "--raw", "/api/v1/namespaces"}},
		{"crane", "registry", []string{"crane", "digest", r.w.acr.Host + "/" + demoImage + ":" + demoTag}},
	}
	var seen []string
	for _, a := range again {
		if !r.sb.has(a.tool) {
			continue
		}
		if err := r.run(a.args...); err != nil {
			return err
		}
		if c.Count(a.service) == 0 {
			return fmt.Errorf("%s did not reach its fake server", a.tool)
		}
		seen = append(seen, fmt.Sprintf("%s's server %d", a.tool, c.Count(a.service)))
	}
	if len(seen) == 0 {
		r.n.note("no client to run again")
		return nil
	}
	r.n.note("requests the fake cloud saw for those commands: %s", strings.Join(seen, ", "))
	auth := c.Count("token") + c.Count("openid") + c.Count("discovery")
	r.n.note("  Entra ID %d, ACR token exchange %d", auth, c.Count("acr-exchange"))
	if auth != 0 || c.Count("acr-exchange") != 0 {
		return fmt.Errorf("azcred went to Entra ID (%d requests) or ACR's exchange (%d) instead of its cache", auth, c.Count("acr-exchange"))
	}
	r.n.note("every token came from azcred's cache: no request to Entra ID or ACR's exchange")
	return nil
}
