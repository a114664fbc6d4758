package install

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestHelperValue(t *testing.T) {
	for _, tt := range []struct {
		onPath bool
		want   string
	}{{true, "azcred"}, {false, "!azcred git"}} {
		if got := HelperValue(tt.onPath); got != tt.want {
			t.Errorf("HelperValue(%v) = %q, want %q", tt.onPath, got, tt.want)
		}
		if !isAzcredHelper(tt.want) {
			t.Errorf("isAzcredHelper(%q) = false", tt.want)
		}
	}
	// Values older versions wrote are ours too, so installing again replaces them.
	for _, old := range []string{"!'/usr/local/bin/azcred' git", "!'C:/Program Files/azcred/azcred.exe' git"} {
		if !isAzcredHelper(old) {
			t.Errorf("isAzcredHelper(%q) = false", old)
		}
	}
}

// gitEnv isolates git from the machine's configuration: a fresh global file, no system file.
func gitEnv(t *testing.T) (env []string, global string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not on PATH")
	}
	dir := t.TempDir()
	global = filepath.Join(dir, "gitconfig")
	return []string{"GIT_CONFIG_GLOBAL=" + global, "GIT_CONFIG_NOSYSTEM=1", "HOME=" + dir}, global
}

// git runs the real git with env and returns its stdout without the final newline.
func git(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSuffix(string(out), "\n")
}

const testHelper = "!'/opt/azcred/azcred' git"

func TestInstallGitMatchesAzureDevOpsURLs(t *testing.T) {
	env, _ := gitEnv(t)
	git(t, env, "config", "--global", "credential.helper", "cache") // a generic helper we must shadow
	changes, err := InstallGit(context.Background(), GitOptions{Command: testHelper, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 4 {
		t.Fatalf("got %d changes, want 4 (helper and useHttpPath for two URLs): %v", len(changes), changes)
	}
	tests := []struct {
		url, key, want string
	}{
		{"https://dev.azure.com/contoso/x/_git/y", "credential.helper", testHelper},
		{"https://dev.azure.com/contoso/x/_git/y", "credential.usehttppath", "true"},
		{"https://contoso.visualstudio.com/x/_git/y", "credential.helper", testHelper},
		{"https://contoso.visualstudio.com/x/_git/y", "credential.usehttppath", "true"},
		{"https://github.com/x/y", "credential.helper", "cache"},
	}
	for _, tt := range tests {
		t.Run(tt.url+" "+tt.key, func(t *testing.T) {
			// --get-urlmatch answers what git itself would use for this URL (the last value).
			if got := git(t, env, "config", "--get-urlmatch", tt.key, tt.url); got != tt.want {
				t.Errorf("git config --get-urlmatch %s %s = %q, want %q", tt.key, tt.url, got, tt.want)
			}
		})
	}
	if got := git(t, env, "config", "--global", "--get-all", "credential.https://dev.azure.com.helper"); got != "\n"+testHelper {
		t.Errorf("helper values = %q, want the reset then ours", got)
	}
}

func TestInstallGitIsIdempotent(t *testing.T) {
	env, global := gitEnv(t)
	ctx := context.Background()
	opts := GitOptions{Command: testHelper, Env: env}
	if _, err := InstallGit(ctx, opts); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(global)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := InstallGit(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 0 {
		t.Errorf("second install changed %v, want nothing", changes)
	}
	after, _ := os.ReadFile(global)
	if string(after) != string(before) {
		t.Errorf("second install rewrote the file:\n%s\nwas:\n%s", after, before)
	}
}

func TestInstallGitReplacesAnOlderAzcred(t *testing.T) {
	env, _ := gitEnv(t)
	ctx := context.Background()
	url := "https://dev.azure.com/contoso"
	if _, err := InstallGit(ctx, GitOptions{URLs: []string{url}, Command: "!'/old/place/azcred' git", Env: env}); err != nil {
		t.Fatal(err)
	}
	changes, err := InstallGit(ctx, GitOptions{URLs: []string{url}, Command: "azcred", Env: env})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 {
		t.Errorf("got changes %v, want only the helper", changes)
	}
	if got := git(t, env, "config", "--global", "--get-all", "credential."+url+".helper"); got != "\nazcred" {
		t.Errorf("helper values = %q, want the reset then azcred", got)
	}
}

func TestUninstallGitLeavesUnrelatedKeys(t *testing.T) {
	env, _ := gitEnv(t)
	ctx := context.Background()
	url := "https://dev.azure.com"
	// The user's own settings, including a value of a key we also write.
	git(t, env, "config", "--global", "user.name", "Test User")
	git(t, env, "config", "--global", "credential.helper", "cache")
	git(t, env, "config", "--global", "--add", "credential."+url+".helper", "manager")
	git(t, env, "config", "--global", "credential."+url+".username", "me")
	before := git(t, env, "config", "--global", "--list")

	if _, err := InstallGit(ctx, GitOptions{Command: testHelper, Env: env}); err != nil {
		t.Fatal(err)
	}
	if got := git(t, env, "config", "--get-urlmatch", "credential.helper", url+"/contoso/_git/x"); got != testHelper {
		t.Fatalf("after install git would use %q", got)
	}
	changes, err := InstallGit(ctx, GitOptions{Command: testHelper, Env: env, Uninstall: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 4 {
		t.Errorf("uninstall made %d changes, want 4: %v", len(changes), changes)
	}
	if after := git(t, env, "config", "--global", "--list"); after != before {
		t.Errorf("after uninstall:\n%s\nwant the original:\n%s", after, before)
	}
	changes, err = InstallGit(ctx, GitOptions{Command: testHelper, Env: env, Uninstall: true})
	if err != nil || len(changes) != 0 {
		t.Errorf("second uninstall = %v, %v; want no changes", changes, err)
	}
}

// An uninstall without --url removes what installs with --url added too,
// and leaves another helper's URL alone.
func TestUninstallGitFindsURLInstalls(t *testing.T) {
	env, _ := gitEnv(t)
	ctx := context.Background()
	git(t, env, "config", "--global", "credential.https://github.com.helper", "manager")
	before := git(t, env, "config", "--global", "--list")
	urls := []string{"https://127.0.0.1:8443", "https://git.example.com/Org"}
	for _, cmd := range []string{"azcred", "!azcred git"} {
		if _, err := InstallGit(ctx, GitOptions{URLs: urls, Command: cmd, Env: env}); err != nil {
			t.Fatal(err)
		}
		changes, err := InstallGit(ctx, GitOptions{Env: env, Uninstall: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) != 4 {
			t.Errorf("%s: uninstall made %d changes, want 4: %v", cmd, len(changes), changes)
		}
		if after := git(t, env, "config", "--global", "--list"); after != before {
			t.Errorf("%s: after uninstall:\n%s\nwant the original:\n%s", cmd, after, before)
		}
	}
}

func TestInstallGitScopes(t *testing.T) {
	env, global := gitEnv(t)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "azcred.gitconfig")
	changes, err := InstallGit(ctx, GitOptions{Scope: "file", File: file, URLs: []string{"https://dev.azure.com/"}, Command: "azcred", Env: env})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		if c.File != file {
			t.Errorf("change %v names %q, want %q", c, c.File, file)
		}
		if !strings.Contains(c.String(), "credential.https://dev.azure.com.") {
			t.Errorf("change %q does not name the key with the trailing slash trimmed", c)
		}
	}
	if _, err := os.Stat(global); err == nil {
		t.Errorf("scope file also wrote the global config")
	}

	repo := t.TempDir()
	git(t, env, "init", "-q", repo)
	if _, err := InstallGit(ctx, GitOptions{Scope: "local", Dir: repo, Command: "azcred", Env: env}); err != nil {
		t.Fatal(err)
	}
	if got := git(t, env, "-C", repo, "config", "--local", "credential.https://dev.azure.com.usehttppath"); got != "true" {
		t.Errorf("local config useHttpPath = %q", got)
	}

	for _, bad := range []GitOptions{{Scope: "worktree"}, {Scope: "file"}} {
		if _, err := InstallGit(ctx, bad); err == nil {
			t.Errorf("InstallGit(%+v) succeeded, want an error", bad)
		}
	}
}

func TestInstallGitReportsGitFailure(t *testing.T) {
	env, _ := gitEnv(t)
	// A directory cannot be a config file: git fails and we must say so, not panic or succeed.
	_, err := InstallGit(context.Background(), GitOptions{Scope: "file", File: t.TempDir(), Env: env})
	if err == nil || !strings.Contains(err.Error(), "git config") {
		t.Errorf("err = %v, want a git config error", err)
	}
}

func TestChangeString(t *testing.T) {
	tests := []struct {
		c    Change
		want string
	}{
		{Change{"f", "k", "", `"true"`}, `f: k: set to "true"`},
		{Change{"f", "k", `"true"`, ""}, `f: k: removed (was "true")`},
		{Change{"f", "k", `"a"`, `"b"`}, `f: k: changed from "a" to "b"`},
		{Change{"", "k", `"a"`, `"b"`}, `k: changed from "a" to "b"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.c.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestGitHelperListTransitions(t *testing.T) {
	const url = "https://dev.azure.com"
	key := "credential." + url + ".helper"
	tests := []struct {
		name          string
		initial       []string
		installed     string // git config --get-all output after install
		uninstalledTo string // and after uninstall
	}{
		{"none", nil, "\nazcred", ""},
		{"user helper", []string{"manager"}, "manager\n\nazcred", "manager"},
		{"user reset and helper", []string{"", "manager"}, "\nmanager\n\nazcred", "\nmanager"},
		{"old azcred path", []string{"", "!'/old/azcred' git"}, "\nazcred", ""},
		{"ours in the middle", []string{"", "azcred", "manager"}, "manager\n\nazcred", "manager"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := gitEnv(t)
			ctx := context.Background()
			for _, v := range tt.initial {
				git(t, env, "config", "--global", "--add", key, v)
			}
			opts := GitOptions{URLs: []string{url}, Command: "azcred", Env: env}
			if _, err := InstallGit(ctx, opts); err != nil {
				t.Fatal(err)
			}
			if got := getAll(t, env, key); got != tt.installed {
				t.Errorf("after install %q, want %q", got, tt.installed)
			}
			opts.Uninstall = true
			if _, err := InstallGit(ctx, opts); err != nil {
				t.Fatal(err)
			}
			if got := getAll(t, env, key); got != tt.uninstalledTo {
				t.Errorf("after uninstall %q, want %q", got, tt.uninstalledTo)
			}
		})
	}
}

// getAll is git config --get-all, "" when the key is not set.
func getAll(t *testing.T, env []string, key string) string {
	t.Helper()
	cmd := exec.Command("git", "config", "--global", "--get-all", key)
	cmd.Env = append(os.Environ(), env...)
	out, _ := cmd.Output() // exit 1 means not set
	return strings.TrimSuffix(string(out), "\n")
}
