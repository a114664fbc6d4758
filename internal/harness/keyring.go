package harness

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// KeyringPassword unlocks the test login keyring. Obviously fake.
const KeyringPassword = "fake-keyring-password"

// Bus is a private D-Bus session bus that activates nothing (no service
// directories), with at most one gnome-keyring-daemon on it: a real
// Secret Service for tests and bench/, apart from any desktop's.
type Bus struct {
	Addr    string // its DBUS_SESSION_BUS_ADDRESS
	dir     string
	bus     *exec.Cmd
	keyring *exec.Cmd
}

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

// StartBus starts dbus-daemon (Debian package dbus).
func StartBus() (*Bus, error) {
	dir, err := os.MkdirTemp("", "azcred-bus-") // short: unix socket paths are limited
	if err != nil {
		return nil, err
	}
	b := &Bus{dir: dir}
	conf := filepath.Join(dir, "session.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(busConfig, dir)), 0o600); err != nil {
		b.Close()
		return nil, err
	}
	b.bus = exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--print-address=1")
	out, err := b.bus.StdoutPipe()
	if err != nil {
		b.Close()
		return nil, err
	}
	if err := b.bus.Start(); err != nil {
		b.bus = nil
		b.Close()
		return nil, err
	}
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(line)
	}()
	select {
	case b.Addr = <-addr:
	case <-time.After(10 * time.Second):
	}
	if b.Addr == "" {
		b.Close()
		return nil, errors.New("dbus-daemon printed no address within 10s")
	}
	return b, nil
}

// StartKeyring (re)starts gnome-keyring-daemon's Secret Service on the
// bus, with env (HOME, XDG_* of the test) plus the bus address. Unless
// locked, the login keyring is unlocked (created on first use) with
// KeyringPassword; locked, it is left locked. log (if not nil) gets its
// output.
func (b *Bus) StartKeyring(env []string, locked bool, log io.Writer) error {
	b.StopKeyring()
	args := []string{"--foreground", "--components=secrets"}
	if !locked {
		args = append(args, "--unlock")
	}
	cmd := exec.Command("gnome-keyring-daemon", args...)
	cmd.Env = append(append([]string{}, env...), "DBUS_SESSION_BUS_ADDRESS="+b.Addr)
	if !locked {
		cmd.Stdin = strings.NewReader(KeyringPassword)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return err
	}
	b.keyring = cmd
	// Ready when org.freedesktop.secrets has an owner on the bus.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		q := exec.Command("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
			"org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets")
		q.Env = cmd.Env
		if out, err := q.Output(); err == nil && strings.Contains(string(out), "boolean true") {
			return nil
		}
	}
	b.StopKeyring()
	return errors.New("gnome-keyring-daemon did not take org.freedesktop.secrets within 10s")
}

// StopKeyring stops gnome-keyring-daemon; the bus stays.
func (b *Bus) StopKeyring() {
	if b.keyring == nil {
		return
	}
	stop(b.keyring)
	b.keyring = nil
}

// Close stops the keyring daemon and the bus.
func (b *Bus) Close() {
	b.StopKeyring()
	if b.bus != nil {
		stop(b.bus)
	}
	os.RemoveAll(b.dir)
}

func stop(cmd *exec.Cmd) {
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}
