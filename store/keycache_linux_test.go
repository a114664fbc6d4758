package store

import (
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"
)

func TestKernelCache(t *testing.T) {
	c := openSessionCache()
	if c == nil {
		t.Skip("no kernel keyring here (keyctl blocked?)")
	}
	b := make([]byte, 8)
	rand.Read(b)
	prefix := cachePrefix + "test-" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() { c.dropPrefix(prefix) })

	c.put(prefix+"a", []byte("fake-one"), time.Minute)
	c.put(prefix+"b", []byte("fake-two"), time.Second)
	if p, ok := c.get(prefix + "a"); !ok || string(p) != "fake-one" {
		t.Fatalf("get a = %q, %v", p, ok)
	}
	c.put(prefix+"a", []byte("fake-new"), time.Minute) // replaces
	if p, _ := c.get(prefix + "a"); string(p) != "fake-new" {
		t.Errorf("replaced a = %q", p)
	}
	c.drop(prefix + "a")
	if _, ok := c.get(prefix + "a"); ok {
		t.Error("a survived drop")
	}
	time.Sleep(1500 * time.Millisecond)
	if _, ok := c.get(prefix + "b"); ok {
		t.Error("b survived its expiry")
	}
	c.put(prefix+"b", []byte("fake-again"), time.Minute) // over the expired one
	if p, ok := c.get(prefix + "b"); !ok || string(p) != "fake-again" {
		t.Errorf("b after expiry and put = %q, %v", p, ok)
	}
	c.put(prefix+"x:c", []byte("x"), time.Minute)
	c.put(prefix+"x:d", []byte("x"), time.Minute)
	c.put(prefix+"y:e", []byte("x"), time.Minute)
	if n, err := c.dropPrefix(prefix + "x:"); err != nil || n != 2 {
		t.Errorf("dropPrefix = %d, %v; want 2", n, err)
	}
	if _, ok := c.get(prefix + "y:e"); !ok {
		t.Error("dropPrefix dropped another prefix's entry")
	}
}
