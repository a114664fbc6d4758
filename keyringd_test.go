package main

// Real keyrings for the scripts: a private D-Bus session bus with
// gnome-keyring-daemon's Secret Service on it, and the kernel keyring.
// Scripts that need them start with [keyringd] or [keyctl]. Where the
// tools are missing the scripts skip, except with AZCRED_REQUIRE_KEYRINGS=1
// (set by .ci/run, which installs them): there a missing tool fails.

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"

	"github.com/azcred/azcred/internal/harness"
)

// keyringCondition answers [keyringd] and [keyctl].
func keyringCondition(cond string) (bool, error) {
	var missing string
	switch cond {
	case "keyringd":
		for _, tool := range []string{"dbus-daemon", "dbus-send", "gnome-keyring-daemon"} {
			if _, err := exec.LookPath(tool); err != nil {
				missing = tool + " (Debian packages dbus, gnome-keyring)"
			}
		}
	case "keyctl":
		if _, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_SESSION_KEYRING, false); err != nil {
			missing = "the kernel keyring (keyctl: " + err.Error() + ")"
		}
	default:
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if missing == "" {
		return true, nil
	}
	if os.Getenv("AZCRED_REQUIRE_KEYRINGS") != "" {
		return false, fmt.Errorf("AZCRED_REQUIRE_KEYRINGS is set but %s is missing (scripts/install-test-tools.sh installs it)", missing)
	}
	return false, nil
}

// keyringdCmd runs a private session bus and a real Secret Service
// (internal/harness.Bus):
//
//	keyringd start [-locked]  start the bus (once) and gnome-keyring-daemon,
//	                          its login keyring unlocked with a password
//	                          (-locked: started without it, so locked)
//	keyringd stop             stop gnome-keyring-daemon; the bus stays
//	keyringd mute             point DBUS_SESSION_BUS_ADDRESS at a socket
//	                          that accepts connections and never answers
func keyringdCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: keyringd start [-locked] | stop | mute")
	}
	switch args[0] {
	case "start":
		b := busOf(ts)
		ts.Setenv("DBUS_SESSION_BUS_ADDRESS", b.Addr) // again, after mute
		log, err := os.OpenFile(ts.MkAbs(".gnome-keyring.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		ts.Check(err)
		defer log.Close()
		env := []string{"XDG_DATA_HOME=" + filepath.Join(ts.Getenv("HOME"), ".local", "share")}
		for _, k := range []string{"PATH", "HOME", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME"} {
			env = append(env, k+"="+ts.Getenv(k))
		}
		ts.Check(b.StartKeyring(env, len(args) > 1 && args[1] == "-locked", log))
	case "stop":
		busOf(ts).StopKeyring()
	case "mute":
		dir, err := os.MkdirTemp("", "azcred-mute-") // short: unix socket paths are limited
		ts.Check(err)
		path := filepath.Join(dir, "bus")
		l, err := net.Listen("unix", path)
		ts.Check(err)
		var mu sync.Mutex
		var held []net.Conn // accepted and never answered
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				held = append(held, c)
				mu.Unlock()
			}
		}()
		ts.Defer(func() {
			l.Close()
			mu.Lock()
			for _, c := range held {
				c.Close()
			}
			mu.Unlock()
			os.RemoveAll(dir)
		})
		ts.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+path)
	default:
		ts.Fatalf("keyringd: unknown subcommand %q", args[0])
	}
}

var scriptBuses sync.Map // *testscript.TestScript -> *harness.Bus

// busOf returns the script's bus, starting it on first use.
func busOf(ts *testscript.TestScript) *harness.Bus {
	if b, ok := scriptBuses.Load(ts); ok {
		return b.(*harness.Bus)
	}
	b, err := harness.StartBus()
	ts.Check(err)
	scriptBuses.Store(ts, b)
	ts.Defer(func() {
		b.Close()
		scriptBuses.Delete(ts)
	})
	return b
}
