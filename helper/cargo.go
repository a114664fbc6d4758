package helper

// cargo's credential provider (protocols/cargo.go has the wire format).
// Its failure shape: every failure is a reply in the protocol, never a
// non-zero exit (cargo reports a failed exit instead of our message):
// url-not-supported for a registry that is not ours, so cargo tries its
// next provider; "other" with azcred's one-line reason and fix for
// everything else. Nothing but replies on stdout.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/azcred/azcred/protocols"
	"github.com/azcred/azcred/store"
)

// Cargo serves one session: the hello, then one reply per request until
// cargo closes stdin. pinned is the --context of the command line.
func (c *Call) Cargo(ctx context.Context, pinned string) error {
	if err := protocols.WriteCargoHello(c.Stdout); err != nil {
		return err
	}
	in := protocols.NewCargoReader(c.Stdin)
	for {
		req, err := in.Next()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, protocols.ErrMalformed):
			if err := protocols.WriteCargoError(c.Stdout, protocols.CargoOther, "azcred: "+err.Error()); err != nil {
				return err
			}
			continue
		case err != nil:
			// A failed read or an endless stream: answer once and stop.
			return protocols.WriteCargoError(c.Stdout, protocols.CargoOther, "azcred: "+FirstLine(err.Error()))
		}
		if err := c.cargoAnswer(ctx, req, pinned); err != nil {
			return err
		}
	}
}

// cargoAnswer writes the reply to one request; it returns only write errors.
func (c *Call) cargoAnswer(ctx context.Context, req *protocols.CargoRequest, pinned string) error {
	w := c.Stdout
	args, err := cargoArgs(req.Args)
	if err != nil {
		return protocols.WriteCargoError(w, protocols.CargoOther, "azcred: "+err.Error())
	}
	if args != "" {
		pinned = args
	}
	fr := feedRequest{URL: req.Registry.IndexURL, Pinned: pinned, Headers: req.Registry.Headers}
	switch req.Kind {
	case protocols.CargoGet:
		tok, ok, err := c.feedToken(ctx, fr)
		switch {
		case !ok:
			return protocols.WriteCargoError(w, protocols.CargoURLNotSupported, "")
		case err != nil:
			return protocols.WriteCargoError(w, protocols.CargoOther, cargoMessage(err))
		}
		// The token goes into the Authorization header as it is, so it
		// carries its scheme; Azure Artifacts takes Entra tokens as Bearer.
		return protocols.WriteCargoToken(w, "Bearer "+tok.AccessToken, tok.ExpiresOn)
	case protocols.CargoLogin:
		if req.Token != "" {
			// The protocol wants a given token used; we cannot store one.
			// "other" rather than operation-not-supported: cargo shows the
			// message only for "other" (cargo 1.95 prints just "requested
			// operation not supported" otherwise).
			return protocols.WriteCargoError(w, protocols.CargoOther,
				"azcred stores no registry tokens: it mints them from your Azure sign-in; run 'azcred login', then 'cargo login' without a token")
		}
		// No token given: check that a token can be had silently.
		_, ok, err := c.feedToken(ctx, fr)
		switch {
		case !ok:
			return protocols.WriteCargoError(w, protocols.CargoURLNotSupported, "")
		case err != nil:
			return protocols.WriteCargoError(w, protocols.CargoOther, cargoMessage(err))
		}
		return protocols.WriteCargoOK(w, protocols.CargoLogin)
	case protocols.CargoLogout:
		return c.cargoLogout(w, fr)
	}
	return protocols.WriteCargoError(w, protocols.CargoOperationNotSupported, "azcred does not know the request "+fmt.Sprintf("%q", FirstLine(req.Kind)))
}

// cargoLogout drops the cached access token of the registry's context:
// not-found when there is none, as the protocol asks for "logout requests
// where there is nothing found to erase".
func (c *Call) cargoLogout(w io.Writer, fr feedRequest) error {
	r, ok, err := c.resolveFeed(fr)
	switch {
	case !ok:
		return protocols.WriteCargoError(w, protocols.CargoURLNotSupported, "")
	case err != nil:
		return protocols.WriteCargoError(w, protocols.CargoOther, cargoMessage(err))
	}
	sec, err := r.Store.Secrets()
	if err != nil {
		return protocols.WriteCargoError(w, protocols.CargoOther, cargoMessage(err))
	}
	if _, cached := sec.Tokens[TokenKey(r)]; !cached {
		return protocols.WriteCargoError(w, protocols.CargoNotFound, "azcred has no cached token for this registry")
	}
	e, err := c.Engine()
	if err == nil {
		err = e.Forget(r)
	}
	if err != nil && !errors.Is(err, store.ErrNotSaved) {
		return protocols.WriteCargoError(w, protocols.CargoOther, cargoMessage(err))
	}
	return protocols.WriteCargoOK(w, protocols.CargoLogout)
}

// cargoArgs reads the provider's arguments from cargo's configuration
// (credential-provider = "azcred cargo --context NAME"): cargo sends them
// in the request, not on our command line. It returns the pinned context.
func cargoArgs(args []string) (string, error) {
	if len(args) > 0 && args[0] == "cargo" {
		args = args[1:]
	}
	pinned := ""
	for i := 0; i < len(args); i++ {
		name, val, hasVal := strings.Cut(args[i], "=")
		if name != "--context" {
			return "", fmt.Errorf("unknown argument %q in cargo's credential-provider setting (azcred takes cargo [--context NAME])", FirstLine(name))
		}
		if !hasVal {
			if i+1 >= len(args) {
				return "", errors.New("--context in cargo's credential-provider setting needs a name")
			}
			i++
			val = args[i]
		}
		pinned = val
	}
	return pinned, nil
}

// cargoMessage is the one line cargo shows: the reason, then the fix.
func cargoMessage(err error) string {
	msg := "azcred: " + FirstLine(err.Error())
	if h := Hint(err); h != "" {
		msg += "; " + h
	}
	return msg
}
