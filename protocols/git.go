package protocols

// The git credential helper protocol, as read by a helper.
//
// Rules enforced here (https://git-scm.com/docs/git-credential#IOFMT and
// https://git-scm.com/docs/gitcredentials#_custom_helpers):
//   - The request is key=value lines ended by EOF or a blank line. A line
//     without '=' is an error (git itself fails on it: "invalid credential
//     line"). CR LF line ends are accepted; a NUL byte anywhere, or a second
//     CR before the line end, is an error.
//   - The whole request is at most MaxGitRequest bytes; more is an error.
//   - Unknown keys are ignored; for a single-valued key the last one wins.
//   - Keys ending in "[]" are lists; an empty value resets the list.
//   - url= is split into protocol, host, path, username and password the way
//     git's credential_from_url does.
//   - Unknown actions are not errors: the helper must silently do nothing.
//   - Errors name line numbers and keys we know, never a value, so a password
//     can never reach a log.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
)

// MaxGitRequest bounds a request. git documents 65535 bytes per line
// (https://git-scm.com/docs/git-credential#IOFMT); real requests are a few
// hundred bytes, so one such line's worth for the whole request is plenty.
const MaxGitRequest = 64 << 10

// GitAction is the operation git asks a helper for (its first argument).
type GitAction int

const (
	GitUnknown GitAction = iota
	GitGet
	GitStore
	GitErase
	// GitCapability is `helper capability`, which git-credential(1) lets
	// helpers answer with the capabilities they support.
	GitCapability
)

// ParseGitAction maps a helper argument to an action. Anything unknown is
// GitUnknown, which the caller must ignore silently and exit 0
// (https://git-scm.com/docs/gitcredentials#_custom_helpers: "it should
// silently ignore the request").
func ParseGitAction(s string) GitAction {
	switch s {
	case "get":
		return GitGet
	case "store":
		return GitStore
	case "erase":
		return GitErase
	case "capability":
		return GitCapability
	}
	return GitUnknown
}

func (a GitAction) String() string {
	switch a {
	case GitGet:
		return "get"
	case GitStore:
		return "store"
	case GitErase:
		return "erase"
	case GitCapability:
		return "capability"
	}
	return "unknown"
}

// GitRequest is one request from git to a helper. Field names follow the
// attribute names of https://git-scm.com/docs/git-credential#IOFMT.
type GitRequest struct {
	Protocol string
	Host     string // includes the port when there is one ("example.com:8088")
	Path     string // without leading slash; only sent with credential.useHttpPath
	Username string
	Password string // only on store/erase, or from a url= with userinfo
	URL      string // the raw url= value, if any (already split into the fields above)

	WWWAuth      []string // wwwauth[]: one WWW-Authenticate header value each (git >= 2.41)
	Capabilities []string // capability[]: what this git understands (git >= 2.46)
	State        []string // state[]: opaque helper state (git >= 2.46)

	PasswordExpiryUTC string // password_expiry_utc, Unix seconds, as sent
	OAuthRefreshToken string // oauth_refresh_token
	AuthType          string // authtype (store/erase of a credential= answer)
	Credential        string // credential (store/erase of a credential= answer)
	Ephemeral         bool   // ephemeral
}

// ReadGitRequest reads one request from r.
func ReadGitRequest(r io.Reader) (*GitRequest, error) {
	br := bufio.NewReader(io.LimitReader(r, MaxGitRequest+1))
	req := &GitRequest{}
	total := 0
	for lineNo := 1; ; lineNo++ {
		// ReadBytes cannot grow past the LimitReader, so one huge line
		// costs at most MaxGitRequest+1 bytes.
		line, err := br.ReadBytes('\n')
		total += len(line)
		if total > MaxGitRequest {
			return nil, malformed("git: request larger than %d bytes", MaxGitRequest)
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("git: read request: %w", err)
		}
		eof := err == io.EOF
		if len(line) == 0 && eof {
			return req, nil
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			// A blank line ends the request; whatever follows is not ours.
			return req, nil
		}
		if bytes.IndexByte(line, 0) >= 0 {
			return nil, malformed("git: line %d contains a NUL byte", lineNo)
		}
		if bytes.HasSuffix(line, []byte("\r")) {
			// A value ending in CR cannot be sent back: every reader,
			// git included, takes it for part of the line end.
			return nil, malformed("git: line %d ends in a stray CR", lineNo)
		}
		key, value, ok := bytes.Cut(line, []byte("="))
		if !ok {
			return nil, malformed("git: line %d is not key=value", lineNo)
		}
		if err := req.set(string(key), string(value)); err != nil {
			return nil, fmt.Errorf("git: line %d: %w", lineNo, err)
		}
		if eof {
			return req, nil
		}
	}
}

// set applies one attribute. Keys are case-sensitive, as in git.
func (req *GitRequest) set(key, value string) error {
	switch key {
	case "protocol":
		req.Protocol = value
	case "host":
		req.Host = value
	case "path":
		req.Path = value
	case "username":
		req.Username = value
	case "password":
		req.Password = value
	case "url":
		return req.setURL(value)
	case "wwwauth[]":
		req.WWWAuth = appendOrReset(req.WWWAuth, value)
	case "capability[]":
		req.Capabilities = appendOrReset(req.Capabilities, value)
	case "state[]":
		req.State = appendOrReset(req.State, value)
	case "password_expiry_utc":
		req.PasswordExpiryUTC = value
	case "oauth_refresh_token":
		req.OAuthRefreshToken = value
	case "authtype":
		req.AuthType = value
	case "credential":
		req.Credential = value
	case "ephemeral":
		req.Ephemeral = IsTrue(value)
	}
	// Anything else is ignored: "Unrecognised attributes and capabilities
	// are silently discarded." (https://git-scm.com/docs/git-credential#IOFMT)
	return nil
}

// appendOrReset implements "an empty multi-valued attribute (key[]=\n) can be
// used to clear any previous entries and reset the list"
// (https://git-scm.com/docs/git-credential#IOFMT).
func appendOrReset(list []string, value string) []string {
	if value == "" {
		return nil
	}
	return append(list, value)
}

// Validate checks what an action needs before a helper acts on it. git
// itself refuses to work without protocol and host ("refusing to work with
// credential missing host field", credential.c), so a get or erase without
// them is malformed. Other actions need nothing.
func (req *GitRequest) Validate(a GitAction) error {
	if a != GitGet && a != GitErase {
		return nil
	}
	if req.Protocol == "" {
		return malformed("git: request has no protocol")
	}
	if req.Host == "" {
		return malformed("git: request has no host")
	}
	return nil
}

// Has reports whether git announced a capability (capability[]=NAME).
func (req *GitRequest) Has(capability string) bool {
	for _, c := range req.Capabilities {
		if c == capability {
			return true
		}
	}
	return false
}

// WriteGitRequest writes req in the form git sends it, in a fixed order. The
// CLI does not need it; tests and the fake clients do, and it keeps the
// parser honest through a round trip.
func WriteGitRequest(w io.Writer, req *GitRequest) error {
	var b gitLines
	for _, c := range req.Capabilities {
		b.add("capability[]", c)
	}
	b.add("authtype", req.AuthType)
	b.add("credential", req.Credential)
	if req.Ephemeral {
		b.add("ephemeral", "1")
	}
	b.add("protocol", req.Protocol)
	b.add("host", req.Host)
	b.add("path", req.Path)
	b.add("username", req.Username)
	b.add("password", req.Password)
	b.add("oauth_refresh_token", req.OAuthRefreshToken)
	b.add("password_expiry_utc", req.PasswordExpiryUTC)
	for _, v := range req.WWWAuth {
		b.add("wwwauth[]", v)
	}
	for _, v := range req.State {
		b.add("state[]", v)
	}
	return b.writeTo(w)
}

// gitLines builds key=value output and remembers the first key whose value
// would break the protocol, so nothing is written when any value is bad.
type gitLines struct {
	buf bytes.Buffer
	bad string
}

// add appends key=value; an empty value is left out, as git does for unset
// attributes.
func (b *gitLines) add(key, value string) {
	if value == "" {
		return
	}
	// "The value may contain any bytes except newline or NUL"
	// (https://git-scm.com/docs/git-credential#IOFMT). A trailing CR is
	// refused too: git strips it when reading, so it would not survive.
	if b.bad == "" && (strings.ContainsAny(value, "\n\x00") || strings.HasSuffix(value, "\r")) {
		b.bad = key
	}
	b.buf.WriteString(key)
	b.buf.WriteByte('=')
	b.buf.WriteString(value)
	b.buf.WriteByte('\n')
}

func (b *gitLines) writeTo(w io.Writer) error {
	if b.bad != "" {
		return malformed("git: value of %s contains a newline, NUL or trailing CR", b.bad)
	}
	if _, err := w.Write(b.buf.Bytes()); err != nil {
		return fmt.Errorf("git: write: %w", err)
	}
	return nil
}
