package helper

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"

	"github.com/azcred/azcred/store"
)

// Which refresh failures are outages (serve the cached token) and which
// are the user's to fix (fail with the login hint).
func TestAuthorityDown(t *testing.T) {
	status := func(code int) error {
		return fmt.Errorf("refresh: %w", msalerrors.CallErr{Resp: &http.Response{StatusCode: code}, Err: errors.New("http call failed")})
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"500", status(500), true},
		{"503", status(503), true},
		{"429", status(429), true},
		{"400 invalid_grant", status(400), false},
		{"401", status(401), false},
		{"deadline", fmt.Errorf("post: %w", context.DeadlineExceeded), true},
		{"dns", &net.DNSError{Err: "no such host", Name: "login.example", IsNotFound: true}, true},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{"no saved sign-in", &needsLogin{reason: "no saved sign-in"}, false},
		{"other", errors.New("AADSTS50173: grant revoked"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := authorityDown(tt.err); got != tt.want {
				t.Errorf("authorityDown(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// A cached token is served through an outage only while it has the floor left.
func TestServeStaleFloor(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	e := &Engine{Now: func() time.Time { return now }, Debugf: func(string, ...any) {}, Timeout: time.Second}
	r := &Resolved{Context: &store.Context{Name: "work"}, Env: &store.Environment{Authority: "https://login.example/"}, Scope: "s"}
	outage := fmt.Errorf("x: %w", context.DeadlineExceeded)
	for _, tt := range []struct {
		left time.Duration
		err  error
		want bool
	}{
		{4 * time.Minute, outage, true},
		{OutageFloor, outage, true},
		{OutageFloor - time.Second, outage, false},
		{4 * time.Minute, &needsLogin{reason: "revoked"}, false},
	} {
		tok, ok := e.serveStale(r, store.Token{AccessToken: "cached", ExpiresOn: now.Add(tt.left)}, tt.err)
		if ok != tt.want || (ok && tok.AccessToken != "cached") {
			t.Errorf("left %s, err %v: served %v, want %v", tt.left, tt.err, ok, tt.want)
		}
	}
	if _, ok := e.serveStale(r, store.Token{}, outage); ok {
		t.Error("served a token that was never cached")
	}
}

// A remembered failure is a store file like any other: a note reached
// through a symbolic link, or one that others can write, is not believed
// (it would let whoever planted it fail every call with words of theirs).
func TestRecallFailureOnlyFromOwnFiles(t *testing.T) {
	now := time.Now()
	e := &Engine{Now: func() time.Time { return now }, Debugf: func(string, ...any) {}, Timeout: time.Second}
	r := &Resolved{Context: &store.Context{Name: "work"}, Env: &store.Environment{Authority: "https://login.example/"}, Scope: "s"}
	r.Store = store.Open(t.TempDir(), nil)
	e.rememberFailure(r, "k", errors.New("cannot reach login.example"))
	if e.recallFailure(r, "k") == nil {
		t.Fatal("a note just written is not recalled")
	}
	note := failPath(r.Store, "k")
	elsewhere := filepath.Join(t.TempDir(), "note")
	if err := os.Rename(note, elsewhere); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, note); err != nil {
		t.Fatal(err)
	}
	if err := e.recallFailure(r, "k"); err != nil {
		t.Errorf("a note through a symbolic link was recalled: %v", err)
	}
	os.Remove(note)
	os.Rename(elsewhere, note)
	os.Chmod(note, 0o622)
	if err := e.recallFailure(r, "k"); err != nil && hasModeBits() {
		t.Errorf("a note others can write was recalled: %v", err)
	}
}

func hasModeBits() bool { return runtime.GOOS != "windows" }

// A run/ that is a symbolic link is not followed: no note is written,
// pruned or removed through it.
func TestFailureNotesNotThroughALink(t *testing.T) {
	e := &Engine{Now: time.Now, Debugf: func(string, ...any) {}, Timeout: time.Second}
	r := &Resolved{Context: &store.Context{Name: "work"}, Env: &store.Environment{Authority: "https://login.example/"}, Scope: "s"}
	dir, other := t.TempDir(), t.TempDir()
	r.Store = store.Open(dir, nil)
	mine := filepath.Join(other, "failed", "keep")
	os.MkdirAll(filepath.Dir(mine), 0o700)
	os.WriteFile(mine, []byte("x"), 0o600)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(mine, old, old)
	if err := os.Symlink(other, filepath.Join(dir, "run")); err != nil {
		t.Fatal(err)
	}
	e.rememberFailure(r, "k", errors.New("cannot reach login.example"))
	ForgetFailures(r.Store)
	if _, err := os.Stat(mine); err != nil {
		t.Fatalf("a file beyond the run link was removed: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(other, "failed")); len(ents) != 1 {
		t.Errorf("a note was written beyond the run link: %d files", len(ents))
	}
}
