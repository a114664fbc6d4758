package protocols

// The helper's answer to git's get.
//
// Rules (https://git-scm.com/docs/git-credential#IOFMT and
// https://git-scm.com/docs/gitcredentials#_custom_helpers):
//   - Fixed key order, one key=value per line, nothing else on stdout.
//   - A value with a newline, CR or NUL is refused and nothing is written.
//   - Plain answer: username=, password=, then password_expiry_utc= (Unix
//     seconds, git >= 2.40 drops the password once it has expired) when the
//     expiry is known.
//   - Bearer answer, only when git sent capability[]=authtype (git >= 2.46):
//     capability[]=authtype first ("a capability[] directive must precede
//     any value depending on it"), authtype=Bearer, credential=<token>,
//     ephemeral=1, then password_expiry_utc=.
//   - The Bearer answer carries no username= or password=. The docs say of
//     credential: "If this key is sent, authtype is mandatory, and username
//     and password are not used", so they would be dead weight to git. And
//     they would be harmful: on store, git passes username and password to
//     every configured helper, including ones that know nothing of
//     capabilities (store, cache, a keychain), which would then persist the
//     access token; authtype/credential go only to helpers that announced
//     authtype, and ephemeral=1 tells those not to keep it.

import (
	"io"
	"strconv"
	"strings"
	"time"
)

// GitCapabilityAuthType is the capability that lets a helper answer with
// authtype= and credential= (git >= 2.46).
const GitCapabilityAuthType = "authtype"

// GitReply is a helper's answer to get.
type GitReply struct {
	Username string
	Password string    // the access token; sent as credential= when Bearer
	Expiry   time.Time // zero: no password_expiry_utc line
	// Bearer answers with authtype=Bearer and credential=. Set it only when
	// the request Has(GitCapabilityAuthType).
	Bearer bool
}

// WriteGitReply writes rep in git's format, or nothing and an error.
func WriteGitReply(w io.Writer, rep GitReply) error {
	var b gitLines
	// Stricter than the protocol: no CR anywhere in what we send, since
	// git puts the credential into an HTTP header as it is.
	if strings.ContainsRune(rep.Username, '\r') || strings.ContainsRune(rep.Password, '\r') {
		return malformed("git: reply value contains a CR")
	}
	if rep.Password == "" {
		return malformed("git: reply has no password")
	}
	if rep.Bearer {
		b.add("capability[]", GitCapabilityAuthType)
		b.add("authtype", "Bearer")
		b.add("credential", rep.Password)
		b.add("ephemeral", "1")
	} else {
		// An empty username would make git prompt for one
		// (credential_fill asks for whatever is still missing).
		if rep.Username == "" {
			return malformed("git: reply has no username")
		}
		b.add("username", rep.Username)
		b.add("password", rep.Password)
	}
	if !rep.Expiry.IsZero() {
		// git reads the value with strtoumax; 0 means "no expiry" and a
		// negative one would wrap, so only positive times are meaningful.
		if rep.Expiry.Unix() <= 0 {
			return malformed("git: reply expiry is not after 1970")
		}
		b.add("password_expiry_utc", strconv.FormatInt(rep.Expiry.Unix(), 10))
	}
	return b.writeTo(w)
}

// WriteGitCapabilities answers `helper capability` in the format of
// https://git-scm.com/docs/git-credential#CAPA-IOFMT: a version line, then
// one line per capability.
func WriteGitCapabilities(w io.Writer) error {
	_, err := io.WriteString(w, "version 0\ncapability "+GitCapabilityAuthType+"\n")
	return err
}

// WriteGitQuit writes the reply of a helper that owns the request but has
// no credential for it: quit=1. git >= 2.12 then consults no further
// helper and does not prompt ("If a helper outputs a quit attribute with
// a value of true or 1, no further helpers will be consulted, nor will the
// user be prompted (if no credential has been provided, the operation will
// then fail)", https://git-scm.com/docs/git-credential#IOFMT; added by
// git commit 59b38652, "credential: let helpers tell us to quit"). Older
// gits ignore the unknown key.
func WriteGitQuit(w io.Writer) error {
	_, err := io.WriteString(w, "quit=1\n")
	return err
}
