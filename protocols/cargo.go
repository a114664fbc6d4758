package protocols

// cargo's credential provider protocol, version 1
// (https://doc.rust-lang.org/cargo/reference/credential-provider-protocol.html;
// the message types are cargo-credential's src/lib.rs and src/error.rs).
//
// Rules:
//   - The provider speaks first: the hello {"v":[1]} on one line.
//   - cargo then writes requests, one JSON object per line, until it closes
//     stdin; each gets exactly one reply line. A line is at most
//     MaxCargoLine bytes and a session at most MaxCargoSession bytes, so an
//     endless stream ends in bounded time.
//   - Unknown fields are ignored, as cargo-credential's serde structs do
//     (the tests there feed "extra-1" fields on purpose).
//   - A request whose "v" is not 1 is an error ("unsupported protocol
//     version"), as cargo-credential's deserialize_request says.
//   - Replies are {"Ok":{...}} or {"Err":{"kind":...}}, the serde shape of
//     Result<CredentialResponse, Error>; keys in a fixed order.
//   - Failure kinds: url-not-supported and not-found make cargo try the next
//     provider; operation-not-supported and other are fatal and cargo shows
//     "message" (and "caused-by") to the user.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

const (
	// MaxCargoLine bounds one request; cargo's are a few hundred bytes
	// (a login token at most a few KiB).
	MaxCargoLine = 64 << 10
	// MaxCargoSession bounds everything read in one run.
	MaxCargoSession = 1 << 20
	// maxCargoMessage bounds an error message sent to cargo.
	maxCargoMessage = 1 << 10
)

// CargoHello is the provider's first line: the protocol versions it speaks.
const CargoHello = `{"v":[1]}`

// CargoRegistry is the "registry" object of every request.
type CargoRegistry struct {
	IndexURL string `json:"index-url"`
	Name     string `json:"name,omitempty"`
	// Headers are those of the HTTP 401 that made cargo ask (optional).
	Headers []string `json:"headers,omitempty"`
}

// CargoRequest is one request from cargo. Kind is "get", "login", "logout"
// or something newer (cargo-credential's Action has #[serde(other)]
// Unknown, answered with operation-not-supported).
type CargoRequest struct {
	V        int           `json:"v"`
	Registry CargoRegistry `json:"registry"`
	Kind     string        `json:"kind"`
	// Operation is get's "read", "publish", "yank", "unyank" or "owners".
	Operation string `json:"operation,omitempty"`
	// Token is login's user-supplied token (optional).
	Token string `json:"token,omitempty"`
	// Args are the provider's arguments from cargo's configuration
	// (["cargo", "--context", "X"] for credential-provider = "azcred cargo
	// --context X"): cargo runs the program with --cargo-plugin only.
	Args []string `json:"args,omitempty"`
}

// Cargo request kinds.
const (
	CargoGet    = "get"
	CargoLogin  = "login"
	CargoLogout = "logout"
)

// CargoErrorKind is the "kind" of an {"Err":...} reply.
type CargoErrorKind string

// The failure kinds of cargo-credential's ErrorKind.
const (
	CargoURLNotSupported       CargoErrorKind = "url-not-supported"
	CargoNotFound              CargoErrorKind = "not-found"
	CargoOperationNotSupported CargoErrorKind = "operation-not-supported"
	CargoOther                 CargoErrorKind = "other"
)

// CargoReader reads cargo's requests, one per line.
type CargoReader struct {
	r    *bufio.Reader
	read int64
}

// NewCargoReader reads requests from r (cargo's pipe to our stdin).
func NewCargoReader(r io.Reader) *CargoReader {
	return &CargoReader{r: bufio.NewReaderSize(r, 4<<10)}
}

// Next returns the next request. It returns io.EOF when cargo has closed
// the pipe, an error matching ErrMalformed for a line that is not a
// request (the caller answers it and may read on), and any other error
// for a failed read or an oversized session (the caller stops).
func (c *CargoReader) Next() (*CargoRequest, error) {
	for {
		line, err := c.line()
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue // a blank line is no request
		}
		return ParseCargoRequest(line)
	}
}

// line reads one line without its newline, bounded. An overlong line is
// consumed to its end and reported as malformed.
func (c *CargoReader) line() ([]byte, error) {
	var buf []byte
	tooLong := false
	for {
		chunk, err := c.r.ReadSlice('\n')
		c.read += int64(len(chunk))
		if c.read > MaxCargoSession {
			return nil, fmt.Errorf("cargo: more than %d bytes of requests", MaxCargoSession)
		}
		if !tooLong {
			buf = append(buf, chunk...)
			if len(buf) > MaxCargoLine+1 {
				tooLong, buf = true, nil
			}
		}
		switch {
		case err == nil:
			if tooLong {
				return nil, malformed("cargo: request longer than %d bytes", MaxCargoLine)
			}
			return bytes.TrimRight(buf, "\r\n"), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if tooLong {
				return nil, malformed("cargo: request longer than %d bytes", MaxCargoLine)
			}
			if len(buf) == 0 {
				return nil, io.EOF
			}
			return buf, nil // a last request without its newline
		default:
			return nil, fmt.Errorf("cargo: read: %w", err)
		}
	}
}

// ParseCargoRequest parses one request line.
func ParseCargoRequest(line []byte) (*CargoRequest, error) {
	if len(line) > MaxCargoLine {
		return nil, malformed("cargo: request longer than %d bytes", MaxCargoLine)
	}
	var req CargoRequest
	// json's errors name a type or quote at most one character, never a
	// token from the input.
	if err := json.Unmarshal(line, &req); err != nil {
		return nil, malformed("cargo: request is not valid JSON: %s", oneLine(err.Error(), 200))
	}
	if req.V != 1 {
		// cargo-credential's own wording.
		return nil, malformed("cargo: unsupported protocol version %d", req.V)
	}
	if req.Kind == "" {
		return nil, malformed("cargo: request has no kind")
	}
	if req.Registry.IndexURL == "" {
		return nil, malformed("cargo: request has no registry index-url")
	}
	return &req, nil
}

// WriteCargoHello writes the hello line.
func WriteCargoHello(w io.Writer) error {
	_, err := io.WriteString(w, CargoHello+"\n")
	return err
}

// cargoGet is CredentialResponse::Get with CacheControl::Expires flattened
// into it, in the field order of cargo-credential's serializer.
type cargoGet struct {
	Kind                 string `json:"kind"`
	Token                string `json:"token"`
	Cache                string `json:"cache"`
	Expiration           int64  `json:"expiration"`
	OperationIndependent bool   `json:"operation_independent"`
}

// WriteCargoToken answers get with an Authorization header value (token is
// sent to the registry as it is, so it carries its scheme, "Bearer ...").
// cargo may reuse it within its run until expires ("cache":"expires", a
// Unix time); operation_independent because one read token also serves
// publish (Azure Artifacts takes the same Entra token for both).
func WriteCargoToken(w io.Writer, token string, expires time.Time) error {
	if token == "" || bytes.ContainsAny([]byte(token), "\r\n") {
		return malformed("cargo: reply token is empty or not one line")
	}
	return writeJSON(w, struct {
		Ok cargoGet `json:"Ok"`
	}{cargoGet{Kind: CargoGet, Token: token, Cache: "expires", Expiration: expires.Unix(), OperationIndependent: true}})
}

// WriteCargoOK answers login or logout: {"Ok":{"kind":KIND}}.
func WriteCargoOK(w io.Writer, kind string) error {
	return writeJSON(w, struct {
		Ok struct {
			Kind string `json:"kind"`
		} `json:"Ok"`
	}{Ok: struct {
		Kind string `json:"kind"`
	}{kind}})
}

// WriteCargoError writes {"Err":{"kind":KIND,"message":MSG}}; message is
// one line, cut to a bounded length, and left out when empty.
func WriteCargoError(w io.Writer, kind CargoErrorKind, message string) error {
	if kind == CargoOther && message == "" {
		message = "credential action failed" // "other" must carry a message
	}
	type cargoErr struct {
		Kind    CargoErrorKind `json:"kind"`
		Message string         `json:"message,omitempty"`
	}
	return writeJSON(w, struct {
		Err cargoErr `json:"Err"`
	}{cargoErr{Kind: kind, Message: oneLine(message, maxCargoMessage)}})
}
