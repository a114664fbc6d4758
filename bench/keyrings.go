package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/azcred/azcred/internal/harness"
)

// keyringCalls signs one more store in through each other keyring set-up
// (the default store has the generated file key) and returns a warm
// `azcred token` for each: the passphrase file keyring and the Secret
// Service with the session key cache, and without it (AZCRED_KEYRING_CACHE=0)
// to show what it saves, and keyctl. notes says what could not be
// measured here; done cleans up (keys in the kernel keyrings).
func keyringCalls(e *harness.Env, dir string) (calls []harness.Warm, notes []string, done func(), err error) {
	var cleanups []func()
	done = func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	type setup struct {
		name string
		env  []string
	}
	setups := []setup{
		{"passphrase file keyring", []string{"AZCRED_KEYRING_BACKEND=file", "AZCRED_KEYRING_PASSPHRASE=fake-bench-passphrase"}},
		{"keyctl", []string{"AZCRED_KEYRING_BACKEND=keyctl"}},
	}
	if missing := missingTools("dbus-daemon", "dbus-send", "gnome-keyring-daemon"); missing != "" {
		notes = append(notes, "Secret Service not measured: "+missing+" not installed (Debian: dbus, gnome-keyring).")
	} else {
		bus, err := harness.StartBus()
		if err != nil {
			return nil, nil, done, err
		}
		cleanups = append(cleanups, bus.Close)
		home := filepath.Join(dir, "ss-home")
		if err := bus.StartKeyring([]string{"HOME=" + home, "XDG_DATA_HOME=" + filepath.Join(home, "data"),
			"XDG_RUNTIME_DIR=" + filepath.Join(dir, "ss-run"), "PATH=" + os.Getenv("PATH")}, false, nil); err != nil {
			return nil, nil, done, err
		}
		setups = append(setups, setup{"Secret Service (gnome-keyring)", []string{"AZCRED_KEYRING_BACKEND=secret-service", "DBUS_SESSION_BUS_ADDRESS=" + bus.Addr}})
	}
	for i, s := range setups {
		env := append([]string{"AZCRED_CONFIG_DIR=" + filepath.Join(dir, fmt.Sprintf("store-%d", i))}, s.env...)
		steps := [][]string{
			{"environment", "add", "Fake", "--authority", e.Cloud.AuthorityURL + "/", "--resource-manager", e.Cloud.ARMURL + "/"},
			{"login", "--service-principal", "--environment", "Fake", "--tenant", harness.Tenant, "--client-id", harness.ClientID, "--secret-stdin", "--name", "sp"},
			{"token", "--output", "raw"},
		}
		for _, st := range steps {
			if _, err := e.Run(harness.Secret+"\n", env, st...); err != nil {
				return nil, nil, done, fmt.Errorf("%s: %v", s.name, err)
			}
		}
		cleanups = append(cleanups, func() { e.Run("", env, "logout", "--all") })
		calls = append(calls, harness.Warm{Name: "azcred token, " + s.name, Bin: e.Azcred, Args: []string{"token", "--output", "raw"}, Env: env})
		if s.name != "keyctl" { // keyctl is the kernel keyring already: no cache to turn off
			calls = append(calls, harness.Warm{Name: "azcred token, " + s.name + ", no session cache", Bin: e.Azcred,
				Args: []string{"token", "--output", "raw"}, Env: append(append([]string{}, env...), "AZCRED_KEYRING_CACHE=0")})
		}
	}
	return calls, notes, done, nil
}

func missingTools(names ...string) string {
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			return n
		}
	}
	return ""
}
