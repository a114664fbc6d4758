package main

// Real keyrings for the scripts: a private D-Bus session bus with
// gnome-keyring-daemon's Secret Service on it, and the kernel keyring.
// Scripts that need them start with [keyringd] or [keyctl]. Where the
// tools are missing the scripts skip, except with AZCRED_REQUIRE_KEYRINGS=1
// (set by .ci/run, which installs them): there a missing tool fails.

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"
)

// testKeyringPassword unlocks the test's login keyring. Obviously fake.
const testKeyringPassword = "fake-keyring-password"

// keyringCondition answers [keyringd] and [keyctl].
func keyringCondition(cond string) (bool, error) {
	var missing string
	switch cond {
	case "keyringd":
		for _, tool := range []string{"dbus-daemon", "gnome-keyring-daemon"} {
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

// keyringdCmd runs a private session bus and a real Secret Service:
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
		if procsOf(ts).bus == nil {
			startBus(ts)
		}
		ts.Setenv("DBUS_SESSION_BUS_ADDRESS", procsOf(ts).addr) // after mute
		startKeyring(ts, len(args) > 1 && args[1] == "-locked")
	case "stop":
		stopKeyring(ts)
	case "mute":
		path := ts.MkAbs("mute.sock")
		l, err := net.Listen("unix", path)
		ts.Check(err)
		go func() {
			var held []net.Conn // accept and say nothing, ever
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				held = append(held, c)
			}
		}()
		ts.Defer(func() { l.Close() })
		ts.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+path)
	default:
		ts.Fatalf("keyringd: unknown subcommand %q", args[0])
	}
}

// busConfig is a session bus that activates nothing: no service
// directories, so no daemon starts behind the test's back.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

func startBus(ts *testscript.TestScript) {
	dir, err := os.MkdirTemp("", "azcred-bus-") // short: unix socket paths are limited
	ts.Check(err)
	ts.Defer(func() { os.RemoveAll(dir) })
	conf := filepath.Join(dir, "session.conf")
	ts.Check(os.WriteFile(conf, []byte(fmt.Sprintf(busConfig, dir)), 0o600))
	cmd := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--print-address=1")
	out, err := cmd.StdoutPipe()
	ts.Check(err)
	cmd.Stderr = nil
	ts.Check(cmd.Start())
	ts.Defer(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(line)
	}()
	select {
	case a := <-addr:
		if a == "" {
			ts.Fatalf("dbus-daemon printed no address")
		}
		procsOf(ts).bus, procsOf(ts).addr = cmd, a
	case <-time.After(10 * time.Second):
		ts.Fatalf("dbus-daemon did not start within 10s")
	}
}

func startKeyring(ts *testscript.TestScript, locked bool) {
	stopKeyring(ts)
	args := []string{"--foreground", "--components=secrets"}
	if !locked {
		args = append(args, "--unlock")
	}
	cmd := exec.Command("gnome-keyring-daemon", args...)
	cmd.Env = scriptEnv(ts)
	if !locked {
		cmd.Stdin = strings.NewReader(testKeyringPassword)
	}
	log, err := os.Create(ts.MkAbs(".gnome-keyring.log"))
	ts.Check(err)
	cmd.Stdout, cmd.Stderr = log, log
	ts.Check(cmd.Start())
	procsOf(ts).keyring = cmd
	ts.Defer(func() { stopKeyring(ts) })
	// Ready when org.freedesktop.secrets has an owner on the bus.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		q := exec.Command("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
			"org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets")
		q.Env = cmd.Env
		if b, err := q.Output(); err == nil && strings.Contains(string(b), "boolean true") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("gnome-keyring-daemon did not take org.freedesktop.secrets within 10s")
}

func stopKeyring(ts *testscript.TestScript) {
	cmd := procsOf(ts).keyring
	if cmd == nil {
		return
	}
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-done
	}
	procsOf(ts).keyring = nil
}

// keyringProcs are one script's daemons.
type keyringProcs struct {
	bus, keyring *exec.Cmd
	addr         string // the bus's address
}

var scriptProcs sync.Map // *testscript.TestScript -> *keyringProcs

func procsOf(ts *testscript.TestScript) *keyringProcs {
	p, loaded := scriptProcs.LoadOrStore(ts, &keyringProcs{})
	if !loaded {
		ts.Defer(func() { scriptProcs.Delete(ts) })
	}
	return p.(*keyringProcs)
}

// scriptEnv is the script's environment for a helper process.
func scriptEnv(ts *testscript.TestScript) []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "DBUS_SESSION_BUS_ADDRESS"} {
		env = append(env, k+"="+ts.Getenv(k))
	}
	env = append(env, "XDG_DATA_HOME="+filepath.Join(ts.Getenv("HOME"), ".local", "share"))
	return env
}
