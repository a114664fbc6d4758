package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// sandbox is the throwaway directory every tool works in:
//
//	bin/      azcred and its git-credential-azcred / docker-credential-azcred names
//	home/     HOME, with .gitconfig, .docker/config.json and .kube/config
//	azcred/   AZCRED_CONFIG_DIR (config.json, vault.bin, the file keyring's key)
//	work/     where git clones
//	fakecloud/ the fake cloud's CA and repositories
//
// Putting bin first on the tools' PATH means `azcred install git|docker` finds the helper
// names there and links nothing next to the user's own azcred.
type sandbox struct {
	dir   string
	env   []string
	tools map[string]string // name -> absolute path, resolved before PATH changes
}

func newSandbox(parent string) (*sandbox, error) {
	dir, err := os.MkdirTemp(parent, "azcred-demo-")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	s := &sandbox{dir: dir, tools: map[string]string{}}
	for _, d := range []string{"bin", "home", "work", "run"} {
		if err := os.MkdirAll(s.path(d), 0o700); err != nil {
			s.remove()
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	return s, nil
}

func (s *sandbox) path(elem ...string) string {
	return filepath.Join(append([]string{s.dir}, elem...)...)
}

// remove deletes everything the demo made. git makes its objects read-only, which
// RemoveAll copes with on Unix; on Windows a second try after a moment covers a tool
// that has not quite let go of a file.
func (s *sandbox) remove() error {
	err := os.RemoveAll(s.dir)
	if err != nil {
		time.Sleep(200 * time.Millisecond)
		err = os.RemoveAll(s.dir)
	}
	if err != nil {
		return fmt.Errorf("demo: remove %s: %w", s.dir, err)
	}
	return nil
}

// requiredTools are the real clients the demo drives, with how to get each.
var requiredTools = []struct{ name, hint string }{
	{"git", "install git (apt-get install git, brew install git)"},
	{"kubectl", "install kubectl (https://kubernetes.io/docs/tasks/tools/)"},
	{"crane", "go install github.com/google/go-containerregistry/cmd/crane@latest"},
}

// findTools resolves git, kubectl and crane on PATH (crane also in GOBIN or GOPATH/bin,
// where go install puts it). A missing one is not an error: its steps are skipped, and
// the narration says so and how to get it.
func (s *sandbox) findTools(n *narrator) {
	for _, t := range requiredTools {
		p, err := lookTool(t.name)
		if err != nil {
			n.say("%s is not on PATH: skipping its steps (to include them: %s)", t.name, t.hint)
			continue
		}
		s.tools[t.name] = p
	}
}

// has reports whether the demo found tool (azcred always).
func (s *sandbox) has(tool string) bool {
	_, ok := s.tools[tool]
	return tool == "" || ok
}

func lookTool(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err == nil {
		return filepath.Abs(p)
	}
	// Where go install puts it: GOBIN, else each GOPATH entry's bin.
	if out, gerr := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); gerr == nil {
		gobin, gopath, _ := strings.Cut(string(out), "\n") // one line each; GOBIN's may be empty
		dirs := []string{strings.TrimSpace(gobin)}
		for _, d := range filepath.SplitList(strings.TrimSpace(gopath)) {
			dirs = append(dirs, filepath.Join(d, "bin"))
		}
		for _, d := range dirs {
			if d == "" {
				continue
			}
			if p, lerr := exec.LookPath(filepath.Join(d, name)); lerr == nil {
				return p, nil
			}
		}
	}
	return "", err
}

// prepare puts azcred in bin under its three names and builds the tools' environment.
func (s *sandbox) prepare(ctx context.Context, n *narrator, o options, w *world) error {
	exe, err := s.azcredBinary(ctx, n, o)
	if err != nil {
		return err
	}
	for _, name := range []string{"azcred", "git-credential-azcred", "docker-credential-azcred"} {
		dst := s.path("bin", name+exeSuffix())
		if dst == exe {
			continue
		}
		if err := linkOrCopy(exe, dst); err != nil {
			return err
		}
	}
	s.tools["azcred"] = s.path("bin", "azcred"+exeSuffix())
	s.env = s.environ(w)
	return nil
}

// azcredBinary finds the azcred to demonstrate: -azcred, else the one on PATH (what the
// README's install command put there), else one built from this checkout.
func (s *sandbox) azcredBinary(ctx context.Context, n *narrator, o options) (string, error) {
	if o.azcred != "" {
		p, err := filepath.Abs(o.azcred)
		if err != nil {
			return "", fmt.Errorf("demo: %w", err)
		}
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("demo: azcred binary: %w", err)
		}
		return p, nil
	}
	if !o.build {
		if p, err := exec.LookPath("azcred"); err == nil {
			if r, err := filepath.EvalSymlinks(p); err == nil {
				p = r
			}
			p, err = filepath.Abs(p)
			if err != nil {
				return "", fmt.Errorf("demo: %w", err)
			}
			n.say("using %s", p)
			return p, nil
		}
		n.say("azcred is not on PATH (CGO_ENABLED=0 go install . puts it there); building it into the temp dir")
	} else {
		n.say("building azcred from this checkout into the temp dir")
	}
	out := s.path("bin", "azcred"+exeSuffix())
	args := []string{"go", "build", "-o", out, "github.com/azcred/azcred"}
	n.command(args, "")
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	// The build keeps the user's Go environment (GOPATH, GOCACHE, GOFLAGS), not the sandbox's.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var keep bytes.Buffer
	ind := n.output(&keep)
	cmd.Stdout, cmd.Stderr = ind, ind
	err := cmd.Run()
	ind.flush()
	if err != nil {
		return "", fmt.Errorf("demo: go build of azcred failed (%w, output above); run the demo inside the azcred checkout, or install azcred first with CGO_ENABLED=0 go install", err)
	}
	return out, nil
}

// environ is what every tool runs with: the user's environment minus anything that would
// point a tool at the user's own configuration, credentials or a proxy, plus the sandbox.
func (s *sandbox) environ(w *world) []string {
	home := s.path("home")
	set := map[string]string{
		"HOME":                   home,
		"USERPROFILE":            home,
		"XDG_CONFIG_HOME":        filepath.Join(home, ".config"),
		"XDG_RUNTIME_DIR":        s.path("run"),
		"PATH":                   s.path("bin") + string(os.PathListSeparator) + os.Getenv("PATH"),
		"AZCRED_CONFIG_DIR":      s.path("azcred"),
		"AZCRED_KEYRING_BACKEND": "file",
		"SSL_CERT_FILE":          w.cloud.CAFile,
		"GIT_SSL_CAINFO":         w.cloud.CAFile,
		"GIT_CONFIG_GLOBAL":      filepath.Join(home, ".gitconfig"),
		"GIT_CONFIG_NOSYSTEM":    "1",
		"GIT_TERMINAL_PROMPT":    "0",
		"GIT_AUTHOR_NAME":        "Demo", "GIT_AUTHOR_EMAIL": "demo@example.invalid",
		"GIT_COMMITTER_NAME": "Demo", "GIT_COMMITTER_EMAIL": "demo@example.invalid",
		"DOCKER_CONFIG": filepath.Join(home, ".docker"),
		"KUBECONFIG":    filepath.Join(home, ".kube", "config"),
		// The fake listens on 127.0.0.1; curl (under git) does not skip a proxy for it unless told.
		"NO_PROXY": "127.0.0.1,localhost",
		"no_proxy": "127.0.0.1,localhost",
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ours := set[k]; ours || dropped(k) {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}

// dropped says whether a variable of the user's could steer a tool away from the sandbox:
// azcred's own settings (AZCRED_CONTEXT, AZCRED_SESSION...), the implicit Azure identity,
// managed identity endpoints, other git/kube/docker configuration and extra CA bundles.
func dropped(key string) bool {
	k := strings.ToUpper(key)
	for _, p := range []string{"AZCRED_", "AZURE_", "ARM_", "IDENTITY_", "MSI_", "IMDS_", "GIT_", "KUBE", "DOCKER_", "SSL_CERT_", "CURL_CA_BUNDLE", "BROWSER"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// linkOrCopy makes dst run src. A symlink keeps argv[0] (how azcred knows it is a git or
// docker helper); where symlinks are not allowed (Windows without developer mode), a copy.
func linkOrCopy(src, dst string) error {
	if err := os.Symlink(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o700)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("demo: copy azcred: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("demo: copy azcred: %w", err)
	}
	return nil
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}
