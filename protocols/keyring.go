package protocols

// The `keyring` command line that pip and uv run with
// --keyring-provider subprocess
// (https://pip.pypa.io/en/stable/topics/authentication/#using-keyring-as-a-command-line-application
// and https://docs.astral.sh/uv/concepts/authentication/#keyring-providers).
//
// Rules:
//   - pip runs `keyring get SERVICE USERNAME` with stdin at /dev/null and
//     reads the password from stdout; a non-zero exit means "no password"
//     (pip's KeyRingCliProvider._get_password). SERVICE is the index URL
//     first, then the bare host[:port].
//   - uv runs the same, or `keyring get SERVICE --mode creds` when the
//     index URL has no user name, and then reads the user name and the
//     password on two lines (uv-auth's keyring.rs).
//   - The answer is what jaraco/keyring's CLI prints: for --mode password
//     the password alone, for --mode creds the user name then the password,
//     each on its own line; --output json prints one JSON object instead.
//   - Options may come before or after the positional arguments, as with
//     keyring's argparse. Anything else (set, del, other options) is an
//     error: azcred mints tokens and stores no passwords.
//   - At most MaxKeyringArgs bytes of arguments.

import (
	"io"
	"strings"
)

// MaxKeyringArgs bounds the arguments' total size; an index URL is short.
const MaxKeyringArgs = 16 << 10

// KeyringRequest is one parsed `keyring` command line.
type KeyringRequest struct {
	Service  string // the index URL or host[:port]
	Username string // "" only in creds mode
	Creds    bool   // --mode creds: answer the user name too
	JSON     bool   // --output json
}

// ParseKeyringArgs parses the arguments after the program name.
func ParseKeyringArgs(args []string) (*KeyringRequest, error) {
	n := 0
	for _, a := range args {
		n += len(a) + 1
	}
	if n > MaxKeyringArgs {
		return nil, malformed("keyring: arguments longer than %d bytes", MaxKeyringArgs)
	}
	var req KeyringRequest
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(a, "=")
		switch name {
		case "--mode", "--output":
			if !hasVal {
				if i+1 >= len(args) {
					return nil, malformed("keyring: %s needs a value", name)
				}
				i++
				val = args[i]
			}
			switch {
			case name == "--mode" && (val == "password" || val == "creds"):
				req.Creds = val == "creds"
			case name == "--output" && (val == "plain" || val == "json"):
				req.JSON = val == "json"
			default:
				return nil, malformed("keyring: %s takes %s", name, map[string]string{"--mode": "password or creds", "--output": "plain or json"}[name])
			}
			continue
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			return nil, malformed("keyring: unknown option %s", oneLine(name, 40))
		}
		pos = append(pos, a)
	}
	if len(pos) == 0 {
		return nil, malformed("keyring: usage: keyring get SERVICE USERNAME")
	}
	if pos[0] != "get" {
		return nil, malformed("keyring: only get is supported: azcred mints tokens and stores no passwords")
	}
	switch {
	case len(pos) == 3:
		req.Service, req.Username = pos[1], pos[2]
	case len(pos) == 2 && req.Creds:
		req.Service = pos[1]
	default:
		return nil, malformed("keyring: get takes SERVICE and USERNAME")
	}
	if req.Service == "" || (req.Username == "" && !req.Creds) || strings.ContainsFunc(req.Service+req.Username, isControl) {
		return nil, malformed("keyring: empty service or user name, or a control character in one")
	}
	return &req, nil
}

// WriteKeyringAnswer prints the credential the way keyring's CLI does:
// the password (creds mode: the user name first), one per line, or the
// JSON object {"username":...,"password":...} with --output json.
func WriteKeyringAnswer(w io.Writer, req *KeyringRequest, username, password string) error {
	if password == "" || strings.ContainsFunc(username+password, isControl) {
		return malformed("keyring: answer is empty or not one line")
	}
	if req.JSON {
		v := struct {
			Username string `json:"username,omitempty"`
			Password string `json:"password"`
		}{Password: password}
		if req.Creds {
			v.Username = username
		}
		return writeJSON(w, v)
	}
	out := password + "\n"
	if req.Creds {
		out = username + "\n" + out
	}
	_, err := io.WriteString(w, out)
	return err
}
