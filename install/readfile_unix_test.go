//go:build unix

package install

import (
	"io"
	"os"
	"path/filepath"
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
