package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/store"
)

// app is what every command's Run gets: the streams, the environment and
// the lazily opened stores.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	debug          bool
	// views: the command is a token flow on the fast path, which reads
	// indexed views of the configs (helper.Profile.Views).
	views   bool
	profile *helper.Profile
}

// Profile opens the stores (once).
func (a *app) Profile() (*helper.Profile, error) {
	if a.profile != nil {
		return a.profile, nil
	}
	p, err := helper.OpenProfile(a.getenv)
	if err != nil {
		return nil, err
	}
	p.Views = a.views
	a.profile = p
	return p, nil
}

// load opens the profile and reads its configs.
func (a *app) load() (*helper.Profile, *helper.Loaded, error) {
	p, err := a.Profile()
	if err != nil {
		return nil, nil, err
	}
	l, err := p.Load()
	if err != nil {
		return nil, nil, err
	}
	return p, l, nil
}

// debugf logs to stderr under --debug. Callers never pass secrets; redact
// is a second line of defence against a token slipping into a message.
func (a *app) debugf(format string, args ...any) {
	if !a.debug {
		return
	}
	fmt.Fprintf(a.stderr, "azcred: debug: %s\n", helper.Redact(fmt.Sprintf(format, args...)))
}

// notef writes a progress or informational line to stderr.
func (a *app) notef(format string, args ...any) {
	fmt.Fprintf(a.stderr, "azcred: "+format+"\n", args...)
}

// saved tells the user where a change went, or that autosave kept it from
// being saved.
func (a *app) saved(s *store.Store, what string) {
	where := "user store"
	if s.IsSession() {
		where = "session store"
	}
	a.notef("%s (%s %s)", what, where, s.Dir())
}

// scopeFlag is the --scope user|process flag of state-changing commands.
type scopeFlag struct {
	Scope string `help:"Where the change holds: user (saved for every new shell) or process (this shell only: prints shell code to eval)." enum:"user,process" default:"user"`
	Shell string `help:"Shell syntax for --scope process output." enum:"sh,fish,pwsh," default:""`
}

func (s scopeFlag) process() bool { return s.Scope == "process" }

// shellName returns the --shell value or guesses it from $SHELL.
func (s scopeFlag) shellName(getenv func(string) string) string {
	if s.Shell != "" {
		return s.Shell
	}
	sh := strings.ToLower(getenv("SHELL"))
	switch {
	case strings.HasSuffix(sh, "fish"):
		return "fish"
	case strings.Contains(sh, "pwsh"), strings.Contains(sh, "powershell"):
		return "pwsh"
	case sh == "" && getenv("PSModulePath") != "":
		return "pwsh"
	}
	return "sh"
}

// exports prints shell code that sets vars (in order) for --scope process.
func (a *app) exports(shell string, vars ...[2]string) {
	for _, kv := range vars {
		fmt.Fprintln(a.stdout, exportLine(shell, kv[0], kv[1]))
	}
}

func exportLine(shell, k, v string) string {
	switch shell {
	case "fish":
		return fmt.Sprintf("set -gx %s '%s';", k, strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v))
	case "pwsh":
		return fmt.Sprintf("$env:%s = '%s'", k, strings.ReplaceAll(v, "'", "''"))
	default:
		return fmt.Sprintf("export %s='%s'", k, strings.ReplaceAll(v, "'", `'\''`))
	}
}

func ctxBackground() context.Context { return context.Background() }
