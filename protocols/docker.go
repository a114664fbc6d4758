package protocols

// The docker credential helper protocol
// (https://github.com/docker/docker-credential-helpers#development and its
// credentials/credentials.go, which docker, crane, skopeo, podman, oras and
// helm all speak).
//
// Rules:
//   - get and erase read the server URL as the whole of stdin, trimmed.
//     Empty is "no credentials server URL"; a NUL, space or control
//     character inside it is an error; at most MaxServerURL bytes.
//   - store reads {"ServerURL","Username","Secret"} JSON; ServerURL and
//     Username are required, as upstream's Credentials.isValid requires them.
//   - get answers {"ServerURL","Username","Secret"}; list answers an object
//     mapping server URL to user name. Keys in a fixed order.
//   - Failure: the message alone on stdout and exit 1. "Not mine" is exactly
//     NotFound, which clients compare verbatim and treat as "no credentials"
//     (credentials/error.go upstream), falling through to anonymous access.
//
// We write the protocol here instead of importing
// github.com/docker/docker-credential-helpers/credentials: its entry point
// (Serve) owns the process's arguments, stdin, stdout and exit, its readers are
// unbounded and accept garbage, its errors are capitalised, and the whole
// protocol is this one small file.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// NotFound is the exact stdout message that tells docker-style clients "no
// credentials here, carry on without".
const NotFound = "credentials not found in native keychain"

// ErrNotFound is reported as NotFound by WriteDockerError.
var ErrNotFound = errors.New(NotFound)

const (
	// MaxServerURL bounds get/erase input; a registry URL is short.
	MaxServerURL = 4 << 10
	// MaxDockerCredentials bounds store input; a secret is at most a few KiB.
	MaxDockerCredentials = 1 << 20
	// maxDockerError bounds a failure message on stdout.
	maxDockerError = 1 << 10
)

// DockerAction is the helper's first argument.
type DockerAction int

const (
	DockerUnknown DockerAction = iota
	DockerGet
	DockerStore
	DockerErase
	DockerList
	DockerVersion
)

// ParseDockerAction maps a helper argument to an action. Upstream answers an
// unknown action with an error ("Unknown credential action"), so the caller
// should too: unlike git, docker clients only ever send these five.
func ParseDockerAction(s string) DockerAction {
	switch s {
	case "get":
		return DockerGet
	case "store":
		return DockerStore
	case "erase":
		return DockerErase
	case "list":
		return DockerList
	case "version":
		return DockerVersion
	}
	return DockerUnknown
}

func (a DockerAction) String() string {
	switch a {
	case DockerGet:
		return "get"
	case DockerStore:
		return "store"
	case DockerErase:
		return "erase"
	case DockerList:
		return "list"
	case DockerVersion:
		return "version"
	}
	return "unknown"
}

// DockerCredentials is the JSON object of get and store; the key names are
// the protocol's, capitalised.
type DockerCredentials struct {
	ServerURL string `json:"ServerURL"`
	Username  string `json:"Username"`
	Secret    string `json:"Secret"`
}

// ReadServerURL reads the server URL of get or erase. It is not normalised:
// pass it to NormalizeRegistry for the host.
func ReadServerURL(r io.Reader) (string, error) {
	b, err := readBounded(r, MaxServerURL, "docker")
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		// Upstream's message for the same case.
		return "", malformed("no credentials server URL")
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r == ' ' || isControl(r) }) {
		return "", malformed("docker: server URL contains a space or control character")
	}
	return s, nil
}

// ReadCredentials reads the JSON of store.
func ReadCredentials(r io.Reader) (*DockerCredentials, error) {
	b, err := readBounded(r, MaxDockerCredentials, "docker")
	if err != nil {
		return nil, err
	}
	var c DockerCredentials
	// json.Unmarshal, unlike upstream's Decoder, also refuses trailing
	// garbage. Its errors quote at most one character of the input, never
	// the secret.
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, malformed("docker: credentials are not valid JSON: %s", oneLine(err.Error(), 200))
	}
	if c.ServerURL == "" {
		return nil, malformed("no credentials server URL")
	}
	if c.Username == "" {
		return nil, malformed("no credentials username")
	}
	return &c, nil
}

// WriteCredentials answers get.
func WriteCredentials(w io.Writer, c DockerCredentials) error {
	if c.ServerURL == "" {
		return malformed("no credentials server URL")
	}
	return writeJSON(w, c)
}

// WriteList answers list: server URL → user name, keys sorted (encoding/json
// sorts map keys), "{}" when empty.
func WriteList(w io.Writer, m map[string]string) error {
	if m == nil {
		m = map[string]string{}
	}
	return writeJSON(w, m)
}

// WriteDockerVersion answers version in upstream's "name (package) version"
// shape.
func WriteDockerVersion(w io.Writer, name, pkg, version string) error {
	_, err := fmt.Fprintf(w, "%s (%s) %s\n", name, pkg, version)
	return err
}

// WriteDockerError writes the protocol's failure shape: the message alone on
// one line. ErrNotFound, even wrapped, becomes exactly NotFound. The caller
// exits 1 afterwards and puts details on stderr.
func WriteDockerError(w io.Writer, err error) error {
	msg := NotFound
	if !errors.Is(err, ErrNotFound) {
		msg = ""
		if err != nil {
			msg = strings.TrimSpace(oneLine(err.Error(), maxDockerError))
		}
		if msg == "" {
			msg = "unknown error"
		}
	}
	_, werr := io.WriteString(w, msg+"\n")
	return werr
}

// writeJSON encodes v completely before writing, so a failure writes nothing.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("docker: encode: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("docker: write: %w", err)
	}
	return nil
}
