package install

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// fakeAzcred lays out a package manager's bin/azcred -> opt/azcred-1.0/bin/azcred
// under a temp dir and returns the env it runs in and the bin dir.
func fakeAzcred(t *testing.T) (getenv func(string) string, bin string) {
	t.Helper()
	root := t.TempDir()
	opt := filepath.Join(root, "opt", "azcred-1.0", "bin")
	bin = filepath.Join(root, "bin")
	for _, d := range []string{opt, bin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(opt, "azcred"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../opt/azcred-1.0/bin/azcred", filepath.Join(bin, "azcred")); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PATH": bin, "HOME": filepath.Join(root, "home")}
	return func(k string) string { return env[k] }, bin
}

func TestLinkHelperBesideTheLinkOnPath(t *testing.T) {
	getenv, bin := fakeAzcred(t)
	l, err := LinkHelper("docker-credential-azcred", LinkOptions{Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(bin, "docker-credential-azcred")
	if l.Path != want || !l.Created || !l.OnPath {
		t.Fatalf("got %+v, want a new link at %s on PATH", l, want)
	}
	if target, _ := os.Readlink(want); target != "azcred" {
		t.Errorf("link points to %q, want the name azcred", target)
	}
	// A second run finds it and changes nothing.
	again, err := LinkHelper("docker-credential-azcred", LinkOptions{Getenv: getenv})
	if err != nil || again.Created || again.Path != want {
		t.Errorf("second run: %+v, %v", again, err)
	}
}

func TestLinkHelperStableDirWhenBesideIsTaken(t *testing.T) {
	getenv, bin := fakeAzcred(t)
	// Something that is not a link and not a program holds the name.
	if err := os.Mkdir(filepath.Join(bin, "git-credential-azcred"), 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := LinkHelper("git-credential-azcred", LinkOptions{Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(getenv("HOME"), ".local", "share", "azcred", "bin", "git-credential-azcred")
	if l.Path != want || !l.Created || l.OnPath {
		t.Fatalf("got %+v, want a link at %s, not on PATH", l, want)
	}
	if target, _ := os.Readlink(want); target != filepath.Join(bin, "azcred") {
		t.Errorf("link points to %q, want the azcred on PATH (not its target)", target)
	}
}

func TestLinkHelperReplacesADanglingLink(t *testing.T) {
	getenv, bin := fakeAzcred(t)
	old := filepath.Join(bin, "docker-credential-azcred")
	if err := os.Symlink("../opt/azcred-0.9/bin/azcred", old); err != nil {
		t.Fatal(err)
	}
	l, err := LinkHelper("docker-credential-azcred", LinkOptions{Getenv: getenv})
	if err != nil || l.Path != old || !l.Created {
		t.Fatalf("got %+v, %v", l, err)
	}
	if target, _ := os.Readlink(old); target != "azcred" {
		t.Errorf("link points to %q", target)
	}
}

func TestLinkHelperAzcredNotOnPath(t *testing.T) {
	getenv := func(k string) string {
		if k == "PATH" {
			return t.TempDir()
		}
		return ""
	}
	_, err := LinkHelper("docker-credential-azcred", LinkOptions{Getenv: getenv, Running: "/opt/azcred-1.0/bin/azcred"})
	var np *NotOnPathError
	if !errors.As(err, &np) || err.Error() != "azcred is not on PATH (this one runs from /opt/azcred-1.0/bin/azcred)" {
		t.Fatalf("error %v, want NotOnPathError naming the running binary", err)
	}
}
