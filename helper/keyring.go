package helper

// The `keyring` command that pip and uv run with --keyring-provider
// subprocess (protocols/keyring.go has the wire format). Its failure
// shape is keyring's: a URL that is not ours exits 1 with nothing on
// stdout or stderr, so pip and uv go on without a password; a bad command
// line exits 2 with one line on stderr (keyring's argparse does the
// same); a URL that is ours but gets no token returns the error, which the
// CLI prints on stderr with its hint (pip and uv pass our stderr through)
// and exits 1. stdin is never read: pip gives us /dev/null.

import (
	"context"
	"fmt"
	"strings"

	"github.com/azcred/azcred/protocols"
)

// KeyringUser is the user name azcred answers with in --mode creds when
// the request names none; Azure Artifacts ignores the user name of Basic
// authentication and reads the token from the password.
const KeyringUser = "azcred"

// Keyring answers one `keyring ARGS...` command line.
func (c *Call) Keyring(ctx context.Context, args []string) error {
	req, err := protocols.ParseKeyringArgs(args)
	if err != nil {
		fmt.Fprintf(c.Stderr, "azcred: error: %s\n", strings.TrimPrefix(FirstLine(err.Error()), "keyring: "))
		return ExitStatus(2)
	}
	tok, ok, err := c.feedToken(ctx, feedRequest{URL: req.Service})
	switch {
	case !ok:
		return ExitStatus(1)
	case err != nil:
		return err
	}
	user := req.Username
	if user == "" {
		user = KeyringUser
	}
	return protocols.WriteKeyringAnswer(c.Stdout, req, user, tok.AccessToken)
}
