package helper

import (
	"fmt"
	"io"

	"github.com/azcred/azcred/protocols"
	"github.com/azcred/azcred/store"
)

// Call is one run of azcred as the CLI hands it down: the streams, the
// environment and the stores, opened on first use. Only the CLI knows the
// process's real streams; every flow below reads and writes these.
type Call struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv store.Getenv
	// Debugf logs under --debug (nil: silent). Callers never pass secrets.
	Debugf func(format string, args ...any)
	// Views: the run is a token flow on the fast path, which reads indexed
	// views of the configs (Profile.Views) instead of the whole files.
	Views bool

	profile *Profile
}

// ExitStatus ends a run with a status after the flow has written its own
// failure in its protocol's shape: the CLI prints nothing more.
type ExitStatus int

func (e ExitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// Profile opens the stores (once).
func (c *Call) Profile() (*Profile, error) {
	if c.profile != nil {
		return c.profile, nil
	}
	p, err := OpenProfile(c.Getenv)
	if err != nil {
		return nil, err
	}
	p.Views = c.Views
	c.profile = p
	return p, nil
}

// Load opens the profile and reads its configs.
func (c *Call) Load() (*Profile, *Loaded, error) {
	p, err := c.Profile()
	if err != nil {
		return nil, nil, err
	}
	l, err := p.Load()
	if err != nil {
		return nil, nil, err
	}
	return p, l, nil
}

// Engine builds the token engine over the call's profile, with the call's
// environment (AZCRED_MIN_TTL, AZCRED_TIMEOUT) and debug log.
func (c *Call) Engine() (*Engine, error) {
	p, err := c.Profile()
	if err != nil {
		return nil, err
	}
	return NewEngine(p, c.Getenv, c.Debugf)
}

func (c *Call) debugf(format string, args ...any) {
	if c.Debugf != nil {
		c.Debugf(format, args...)
	}
}

// Notef writes a progress or informational line to stderr.
func (c *Call) Notef(format string, args ...any) {
	fmt.Fprintf(c.Stderr, "azcred: "+format+"\n", args...)
}

// DebugFromEnv reports whether AZCRED_DEBUG asks for the debug log.
func DebugFromEnv(getenv store.Getenv) bool { return protocols.IsTrue(getenv("AZCRED_DEBUG")) }
