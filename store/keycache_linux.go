package store

import (
	"bytes"
	"encoding/binary"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// kernelCache keeps entries as "user" keys in the session keyring (the
// user-session keyring when the login has none), readable only by their
// possessors: the processes of this login session.
type kernelCache struct{ ring int }

func goos() string { return "linux" }

// openSessionCache resolves the session keyring without creating one: a
// process without a session keyring gets the user-session keyring, never
// a fresh one that would die with it. nil where keyctl is not allowed
// (container seccomp profiles block it).
func openSessionCache() sessionCache {
	ring, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_SESSION_KEYRING, false)
	if err != nil {
		return nil
	}
	return kernelCache{ring: ring}
}

func (k kernelCache) where() string { return "the kernel session keyring" }

func (k kernelCache) get(desc string) ([]byte, bool) {
	id, err := unix.KeyctlSearch(k.ring, "user", desc, 0)
	if err != nil {
		return nil, false
	}
	buf := make([]byte, 256)
	n, err := unix.KeyctlBuffer(unix.KEYCTL_READ, id, buf, 0)
	if err != nil || n > len(buf) {
		return nil, false
	}
	return buf[:n], true
}

// Possessor: view, read, write, search, setattr; the user: view only
// (KEY_POS_* and KEY_USR_VIEW of keyctl(2)).
const cachePerm = 0x2f010000

func (k kernelCache) put(desc string, payload []byte, ttl time.Duration) {
	id, err := unix.AddKey("user", desc, payload, k.ring)
	if err != nil {
		return
	}
	unix.KeyctlSetperm(id, cachePerm)
	secs := int(ttl / time.Second)
	if secs < 1 {
		secs = 1
	}
	if _, err := unix.KeyctlInt(unix.KEYCTL_SET_TIMEOUT, id, secs, 0, 0); err != nil {
		unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0) // no expiry, no entry
	}
}

func (k kernelCache) drop(desc string) {
	if id, err := unix.KeyctlSearch(k.ring, "user", desc, 0); err == nil {
		unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0)
	}
}

func (k kernelCache) dropPrefix(prefix string) (int, error) {
	buf := make([]byte, 4096)
	n, err := unix.KeyctlBuffer(unix.KEYCTL_READ, k.ring, buf, 0)
	if err != nil {
		return 0, err
	}
	if n > len(buf) {
		buf = make([]byte, n)
		if n, err = unix.KeyctlBuffer(unix.KEYCTL_READ, k.ring, buf, 0); err != nil {
			return 0, err
		}
	}
	dropped := 0
	r := bytes.NewReader(buf[:min(n, len(buf))])
	for {
		var id int32
		if binary.Read(r, binary.NativeEndian, &id) != nil {
			break
		}
		d, err := unix.KeyctlString(unix.KEYCTL_DESCRIBE, int(id))
		if err != nil {
			continue
		}
		// "type;uid;gid;perm;description"
		parts := strings.SplitN(d, ";", 5)
		if len(parts) == 5 && parts[0] == "user" && strings.HasPrefix(parts[4], prefix) {
			if _, err := unix.KeyctlInt(unix.KEYCTL_INVALIDATE, int(id), 0, 0, 0); err == nil {
				dropped++
			}
		}
	}
	return dropped, nil
}
