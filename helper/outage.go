package helper

// What a refresh does when it fails. Two rules live here:
//
//  1. Serve through outages. A failure that is not the user's (the
//     authority answers 5xx or 429, times out, cannot be reached or
//     resolved) does not fail a caller that still holds a cached token
//     with at least OutageFloor left: that token is served, with one debug
//     line, and the next call tries the refresh again. This is what MSAL's
//     own proactive refresh does. A refusal (invalid_grant, interaction
//     required, a rejected credential) is the user's to fix and still
//     fails at once with the login hint.
//  2. Fail once, not twice. kubectl runs a failing exec plugin a second
//     time right away, and git asks again on a retry; a failure is
//     remembered for FailMemory per context and scope, so that second run
//     fails at once with the same words, making no request and waiting out
//     no second timeout. The note holds the error line and its hint (never
//     a secret), lives in the store's run/failed directory (0700, files
//     0600), is bounded in number, ignored when stale, and dropped by a
//     sign-in.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"

	"github.com/azcred/azcred/store"
)

// OutageFloor is the least lifetime a cached token must have left to be
// served while the authority is down.
const OutageFloor = time.Minute

// FailMemory is how long a failed refresh is remembered.
const FailMemory = 5 * time.Second

// failNotesMax bounds the run/failed directory.
const failNotesMax = 64

// authorityDown reports whether a refresh failed for a reason that is not
// the user's: the service is failing or busy, or the network is.
func authorityDown(err error) bool {
	var ce msalerrors.CallErr
	if errors.As(err, &ce) && ce.Resp != nil {
		return ce.Resp.StatusCode >= 500 || ce.Resp.StatusCode == 429
	}
	if isTimeout(err) {
		return true
	}
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &de) || errors.As(err, &oe) || errors.As(err, &ne)
}

// serveStale returns the cached token t when the refresh error err is an
// outage and t still has OutageFloor left.
func (e *Engine) serveStale(r *Resolved, t store.Token, err error) (*Token, bool) {
	left := t.ExpiresOn.Sub(e.Now())
	if t.AccessToken == "" || left < OutageFloor || !authorityDown(err) {
		return nil, false
	}
	e.Debugf("refresh of %s failed (%s); serving the cached token, %s left; the next call tries again",
		r.Context.Name, FirstLine(e.explain(err, r).Error()), left.Round(time.Second))
	return &Token{AccessToken: t.AccessToken, ExpiresOn: t.ExpiresOn, Tenant: t.Tenant, Scope: r.Scope, FromCache: true}, true
}

// failNote is one remembered failure. No secrets: the error line has been
// through explain, which never includes request bodies and redacts.
type failNote struct {
	At    time.Time `json:"at"`
	Error string    `json:"error"`
	Hint  string    `json:"hint,omitempty"`
}

func failDir(s *store.Store) string { return filepath.Join(s.Dir(), "run", "failed") }

// failDirSafe reports whether run/ and run/failed are, where they exist,
// directories of ours that nobody else can write, reached without a
// symbolic link: only then are notes read, written, pruned or removed there.
func failDirSafe(s *store.Store) bool {
	dir := failDir(s)
	return store.CheckDir(filepath.Dir(dir), true) == nil && store.CheckDir(dir, true) == nil
}

func failPath(s *store.Store, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(failDir(s), hex.EncodeToString(sum[:12]))
}

// recallFailure returns the failure remembered for key, if it is recent.
func (e *Engine) recallFailure(r *Resolved, key string) error {
	// A store file: no link followed, ours only, bounded, never blocking.
	if !failDirSafe(r.Store) {
		return nil
	}
	b, err := store.ReadStoreFile(failPath(r.Store, key))
	if err != nil || len(b) > 4<<10 {
		return nil
	}
	var n failNote
	if json.Unmarshal(b, &n) != nil || n.Error == "" {
		return nil
	}
	age := e.Now().Sub(n.At)
	if age < 0 || age > FailMemory {
		return nil
	}
	e.Debugf("the refresh of %s failed %s ago: not trying again for %s", r.Context.Name, age.Round(time.Millisecond), FailMemory)
	err = fmt.Errorf("%s (%s ago; not tried again for %s)", n.Error, age.Round(time.Millisecond), FailMemory)
	if n.Hint != "" {
		err = WithHint(err, "%s", n.Hint)
	}
	return err
}

// rememberFailure notes err for key. Best effort: a note that cannot be
// written changes nothing but the speed of the next failure.
func (e *Engine) rememberFailure(r *Resolved, key string, err error) {
	dir := failDir(r.Store)
	if mkErr := os.MkdirAll(dir, 0o700); mkErr != nil {
		e.Debugf("cannot remember the failure: %v", mkErr)
		return
	}
	if !failDirSafe(r.Store) {
		e.Debugf("cannot remember the failure: %s is not a plain directory of yours", dir)
		return
	}
	e.pruneFailures(dir)
	b, _ := json.Marshal(failNote{At: e.Now(), Error: FirstLine(err.Error()), Hint: Hint(err)})
	if werr := store.WriteFileAtomic(failPath(r.Store, key), b, 0o600); werr != nil {
		e.Debugf("cannot remember the failure: %v", werr)
	}
}

// pruneFailures drops stale notes and, past failNotesMax, all of them.
func (e *Engine) pruneFailures(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, d := range ents {
		info, err := d.Info()
		if err != nil {
			continue
		}
		if len(ents) >= failNotesMax || time.Since(info.ModTime()) > time.Minute {
			os.Remove(filepath.Join(dir, d.Name()))
		}
	}
}

// ForgetFailures drops every remembered failure of s: a new sign-in is a
// reason to try again at once.
func ForgetFailures(s *store.Store) {
	if failDirSafe(s) {
		_ = os.RemoveAll(failDir(s)) // best effort: a stale note expires in seconds
	}
}
