package install

// git's configuration is edited only through `git config`: git owns its file format
// (includes, conditional includes, quoting, case rules) and we never parse it ourselves.
//
// For each URL we own two keys (https://git-scm.com/docs/gitcredentials#_configuration_options):
//
//	credential.<url>.helper      = ""          resets the helper list, so GCM, a cache or a
//	credential.<url>.helper      = <azcred>    global helper cannot answer first for this URL
//	credential.<url>.useHttpPath = true        so bindings can match organisation and project
//
// git matches <url> against the request URL, and since git 2.13 the host may hold a
// wildcard (https://*.visualstudio.com), see https://git-scm.com/docs/git-config#Documentation/git-config.txt-httpltURLgt.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/azcred/azcred/protocols"
)

// DefaultGitURLs are the Azure DevOps hosts configured when no URL is given.
var DefaultGitURLs = []string{"https://dev.azure.com", "https://*.visualstudio.com"}

// GitOptions says where and for which URLs azcred is configured as git's credential helper.
type GitOptions struct {
	Scope     string   // global (default), system, local or file (implied by File)
	File      string   // the config file when Scope is "file"
	URLs      []string // default DefaultGitURLs
	Command   string   // the helper value git runs; see HelperValue; default "azcred"
	Uninstall bool     // remove what install added instead
	Git       string   // the git binary; default "git"
	Env       []string // added to the environment of every git run (tests set GIT_CONFIG_GLOBAL)
	Dir       string   // the directory git runs in; matters for Scope "local"
}

// HelperValue is the credential.helper value that runs azcred by its
// command name, never by a path that an upgrade would move: "azcred"
// (git runs git-credential-azcred from PATH) when that name is on PATH,
// else "!azcred git" (the shell finds azcred on PATH and git appends the
// action).
func HelperValue(helperOnPath bool) string {
	if helperOnPath {
		return "azcred"
	}
	return "!azcred git"
}

// InstallGit configures (or with Uninstall, unconfigures) azcred as the credential helper
// for opts.URLs and returns what it changed; nothing when all was already in place.
func InstallGit(ctx context.Context, opts GitOptions) ([]Change, error) {
	g, err := newGitConfig(opts)
	if err != nil {
		return nil, err
	}
	if err := g.checkFiles(opts); err != nil {
		return nil, err
	}
	urls := opts.URLs
	if len(urls) == 0 {
		urls = DefaultGitURLs
		if opts.Uninstall {
			// Everything any install added, --url ones included.
			found, err := g.ourURLs(ctx)
			if err != nil {
				return nil, err
			}
			urls = append(slices.Clone(urls), found...)
		}
	}
	helper := opts.Command
	if helper == "" {
		helper = "azcred"
	}
	var changes []Change
	for _, u := range urls {
		u = strings.TrimRight(u, "/")
		if u == "" {
			return changes, errors.New("install: empty git URL")
		}
		for _, step := range []func(context.Context, string, string) (*Change, error){g.helper, g.useHTTPPath} {
			c, err := step(ctx, u, helper)
			if err != nil {
				return changes, err
			}
			if c != nil {
				changes = append(changes, *c)
			}
		}
	}
	return changes, nil
}

// gitConfig runs `git config` against one scope.
type gitConfig struct {
	git       string
	scope     []string // e.g. --global, or --file F
	label     string   // names the scope in changes until git tells us the file
	env       []string
	dir       string
	uninstall bool
}

func newGitConfig(opts GitOptions) (*gitConfig, error) {
	g := &gitConfig{git: opts.Git, env: opts.Env, dir: opts.Dir, uninstall: opts.Uninstall}
	if g.git == "" {
		g.git = "git"
	}
	if opts.Scope == "" && opts.File != "" {
		opts.Scope = "file" // --file F alone means that file
	}
	switch opts.Scope {
	case "", "global", "system", "local":
		scope := opts.Scope
		if scope == "" {
			scope = "global"
		}
		g.scope = []string{"--" + scope}
		g.label = "git config --" + scope
	case "file":
		if opts.File == "" {
			return nil, errors.New("install: git scope file needs a file name")
		}
		g.scope = []string{"--file", opts.File}
		g.label = opts.File
	default:
		return nil, fmt.Errorf("install: unknown git config scope %q (want global, system, local or file)", opts.Scope)
	}
	return g, nil
}

// helper makes credential.<url>.helper end in "", helper (or drops that pair on uninstall),
// leaving any other values of the key where they are.
func (g *gitConfig) helper(ctx context.Context, url, helper string) (*Change, error) {
	key := "credential." + url + ".helper"
	old, file, err := g.getAll(ctx, key)
	if err != nil {
		return nil, err
	}
	kept := withoutOurs(old, helper)
	want := kept
	if !g.uninstall {
		want = append(slices.Clip(kept), "", helper)
	}
	if slices.Equal(old, want) {
		return nil, nil
	}
	if err := g.replace(ctx, key, old, kept, want[len(kept):]); err != nil {
		return nil, err
	}
	if file == "" {
		_, file, _ = g.getAll(ctx, key)
	}
	return &Change{File: g.fileLabel(file), Key: key, Old: quoteList(old), New: quoteList(want)}, nil
}

// replace turns the values old of key into kept followed by added. It edits in place
// where it can, so the user's values keep their place in the file; only when a value we
// drop also stays elsewhere in the list does it rewrite the whole key.
func (g *gitConfig) replace(ctx context.Context, key string, old, kept, added []string) error {
	var drop []string
	for _, v := range old {
		if !slices.Contains(kept, v) && !slices.Contains(drop, v) {
			drop = append(drop, v)
		}
	}
	inPlace := len(old)-len(kept) == countIn(old, drop)
	if inPlace {
		for _, v := range drop {
			// A value pattern rather than --fixed-value, which needs git 2.30.
			if err := g.run(ctx, "--unset-all", key, "^"+regexp.QuoteMeta(v)+"$"); err != nil {
				return err
			}
		}
	} else {
		if err := g.run(ctx, "--unset-all", key); err != nil {
			return err
		}
		added = append(slices.Clip(kept), added...)
	}
	for _, v := range added {
		if err := g.run(ctx, "--add", key, v); err != nil {
			return err
		}
	}
	return nil
}

// countIn counts the values that are in set.
func countIn(values, set []string) int {
	n := 0
	for _, v := range values {
		if slices.Contains(set, v) {
			n++
		}
	}
	return n
}

// withoutOurs drops every azcred helper value and the reset ("") right before it, which
// is exactly the pair that install adds. Values written for an older location of the
// binary count as ours too, so moving azcred and installing again replaces them.
func withoutOurs(values []string, helper string) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		if v == helper || isAzcredHelper(v) {
			if n := len(out); n > 0 && out[n-1] == "" {
				out = out[:n-1]
			}
			continue
		}
		out = append(out, v)
	}
	return out
}

// ourHelper matches the values HelperValue produces (the short name, or
// "!azcred git"), and those of older versions: a quoted absolute path to a
// binary named azcred (azcred.exe on Windows) followed by " git".
var ourHelper = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(azcred|!azcred git|!'[^']*/azcred(\.exe)?' git)$`)
})

func isAzcredHelper(v string) bool { return ourHelper().MatchString(v) }

// useHTTPPath sets credential.<url>.useHttpPath to true, or on uninstall removes it when
// true. We cannot tell whether the user had set it too; uninstall assumes it was ours.
func (g *gitConfig) useHTTPPath(ctx context.Context, url, _ string) (*Change, error) {
	key := "credential." + url + ".useHttpPath"
	old, file, err := g.getAll(ctx, key)
	if err != nil {
		return nil, err
	}
	isTrue := len(old) > 0 && protocols.IsTrue(old[len(old)-1])
	switch {
	case g.uninstall && isTrue:
		if err := g.run(ctx, "--unset-all", key); err != nil {
			return nil, err
		}
		return &Change{File: g.fileLabel(file), Key: key, Old: quoteList(old)}, nil
	case !g.uninstall && !(len(old) == 1 && isTrue):
		if err := g.run(ctx, "--replace-all", key, "true"); err != nil {
			return nil, err
		}
		if file == "" {
			_, file, _ = g.getAll(ctx, key)
		}
		return &Change{File: g.fileLabel(file), Key: key, Old: quoteList(old), New: quoteList([]string{"true"})}, nil
	}
	return nil, nil
}

func (g *gitConfig) fileLabel(file string) string {
	if file == "" {
		return g.label
	}
	return file
}

// getAll returns every value of key in this scope and the file that holds the last one.
// -z keeps empty values and values with newlines unambiguous.
func (g *gitConfig) getAll(ctx context.Context, key string) (values []string, file string, err error) {
	out, err := g.output(ctx, "--show-origin", "-z", "--get-all", key)
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.ExitCode() == 1 {
		return nil, "", nil // git config: exit 1 means the key is not set
	}
	if err != nil {
		return nil, "", err
	}
	fields := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(fields)%2 != 0 {
		return nil, "", fmt.Errorf("install: unexpected output from git config --get-all %s", key)
	}
	for i := 0; i < len(fields); i += 2 {
		file = strings.TrimPrefix(fields[i], "file:")
		values = append(values, fields[i+1])
	}
	return values, file, nil
}

// ourURLs lists the URLs whose credential.<url>.helper in this scope runs
// azcred, beyond DefaultGitURLs.
func (g *gitConfig) ourURLs(ctx context.Context) ([]string, error) {
	out, err := g.output(ctx, "-z", "--get-regexp", `^credential\..+\.helper$`)
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.ExitCode() == 1 {
		return nil, nil // no such key
	}
	if err != nil {
		return nil, err
	}
	var urls []string
	// -z: each entry is "key\nvalue\x00".
	for _, entry := range strings.Split(string(out), "\x00") {
		key, value, _ := strings.Cut(entry, "\n")
		u := strings.TrimSuffix(strings.TrimPrefix(key, "credential."), ".helper")
		if isAzcredHelper(value) && !slices.Contains(DefaultGitURLs, u) && !slices.Contains(urls, u) {
			urls = append(urls, u)
		}
	}
	return urls, nil
}

func (g *gitConfig) run(ctx context.Context, args ...string) error {
	_, err := g.output(ctx, args...)
	return err
}

// gitConfigTimeout bounds one git config run: reading a config file takes
// milliseconds, unless one is a FIFO (or an include is) and git waits for
// a writer forever.
const gitConfigTimeout = 20 * time.Second

// checkFiles refuses, before git opens it, a config file of the scope that
// is a FIFO, socket or device: git would block on a FIFO for ever.
func (g *gitConfig) checkFiles(opts GitOptions) error {
	env := func(k string) string {
		for i := len(opts.Env) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(opts.Env[i], k+"="); ok {
				return v
			}
		}
		return os.Getenv(k)
	}
	var files []string
	switch {
	case opts.File != "":
		files = []string{opts.File}
	case opts.Scope == "" || opts.Scope == "global":
		if f := env("GIT_CONFIG_GLOBAL"); f != "" {
			files = []string{f}
			break
		}
		xdg := env("XDG_CONFIG_HOME")
		if xdg == "" && env("HOME") != "" {
			xdg = filepath.Join(env("HOME"), ".config")
		}
		if xdg != "" {
			files = append(files, filepath.Join(xdg, "git", "config"))
		}
		if env("HOME") != "" {
			files = append(files, filepath.Join(env("HOME"), ".gitconfig"))
		}
	}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil || st.Mode().IsRegular() || st.IsDir() {
			continue // a directory: git says why itself
		}
		kind := "a device"
		switch {
		case st.Mode()&fs.ModeNamedPipe != 0:
			kind = "a FIFO"
		case st.Mode()&fs.ModeSocket != 0:
			kind = "a socket"
		}
		return fmt.Errorf("install: %s is %s, not a regular file; git would wait on it for ever: move it away", f, kind)
	}
	return nil
}

func (g *gitConfig) output(ctx context.Context, args ...string) ([]byte, error) {
	argv := append(append([]string{"config"}, g.scope...), args...)
	ctx, cancel := context.WithTimeout(ctx, gitConfigTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, g.git, argv...)
	cmd.Env = append(os.Environ(), g.env...)
	cmd.Dir = g.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr) && exitErr.ExitCode() == 1 && (slices.Contains(args, "--get-all") || slices.Contains(args, "--get-regexp")):
		return nil, err // the caller reads this as "not set"
	case err != nil && ctx.Err() != nil:
		return nil, fmt.Errorf("install: git config %s did not finish within %s (is one of git's config files a FIFO?)", strings.Join(args, " "), gitConfigTimeout)
	case err != nil:
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			return nil, fmt.Errorf("install: git config %s: %w", strings.Join(args, " "), err)
		}
		return nil, fmt.Errorf("install: git config %s: %s: %w", strings.Join(args, " "), msg, err)
	}
	return stdout.Bytes(), nil
}
