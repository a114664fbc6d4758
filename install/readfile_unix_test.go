//go:build unix

package install

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A caller's config file that is a FIFO or a link to /dev/zero fails
// install at once with its path: no hang (a FIFO with no writer blocks
// open(2) forever), no read until memory runs out.
func TestInstallRefusesFIFOAndDevZero(t *testing.T) {
	installers := map[string]func(path string) error{
		"docker": func(p string) error {
			_, err := InstallDocker(p, DockerOptions{Registries: []string{"contoso.azurecr.io"}})
			return err
		},
		"kube": func(p string) error {
			_, err := InstallKube(p, KubeOptions{Context: "aks"}, false, io.Discard)
			return err
		},
		"aks merge": func(p string) error {
			_, err := PlanMerge(p, []byte("apiVersion: v1\nkind: Config\n"), false)
			return err
		},
		"cargo": func(p string) error {
			_, _, err := InstallCargo(CargoOptions{ConfigFile: p, Command: "azcred cargo"})
			return err
		},
		"pip": func(p string) error {
			_, err := editPipConfig(p, true)
			return err
		},
		"write over": func(p string) error {
			_, err := writeConfig(p, []byte("x"))
			return err
		},
	}
	kinds := map[string]func(t *testing.T, path string){
		"fifo": func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Fatal(err)
			}
		},
		"dev zero": func(t *testing.T, path string) {
			if err := os.Symlink("/dev/zero", path); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, install := range installers {
		for kind, mk := range kinds {
			t.Run(name+"/"+kind, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "config")
				mk(t, path)
				done := make(chan error, 1)
				go func() { done <- install(path) }()
				select {
				case err := <-done:
					if err == nil {
						t.Fatal("no error")
					}
				case <-time.After(5 * time.Second):
					t.Fatal("still reading after 5s")
				}
			})
		}
	}
}

// git's config file as a FIFO: git config would wait for a writer for
// ever; install git refuses it at once, naming it.
func TestInstallGitRefusesFIFOConfig(t *testing.T) {
	env, global := gitEnv(t)
	if err := syscall.Mkfifo(global, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, opts := range map[string]GitOptions{
		"global": {Env: env, Command: "azcred"},
		"file":   {Env: env, Command: "azcred", File: global},
	} {
		t.Run(name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { _, err := InstallGit(context.Background(), opts); done <- err }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), global) {
					t.Fatalf("err %v, want one naming %s", err, global)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("still waiting after 5s")
			}
		})
	}
}
