package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/azcred/azcred/doctor"
	"github.com/azcred/azcred/helper"
)

// DoctorCmd explains azcred's state: stores, keyring, contexts and their
// token expiry, bindings, and whether git, kubectl, docker, pip and cargo run azcred.
// It never prints a token or secret, touches the network only with
// --online, and exits 1 when it found a problem.
type DoctorCmd struct {
	outputFlag
	Online bool `help:"Also compare the local clock with the default context's authority (one request)."`
}

func (c *DoctorCmd) Run(a *app) error {
	rep := doctor.Diagnose(ctxBackground(), doctor.Options{Getenv: a.getenv, Online: c.Online})
	if c.Output == "json" {
		if err := writeJSON(a, rep); err != nil {
			return err
		}
	} else {
		printDoctor(a.stdout, rep, time.Now())
	}
	if !rep.Healthy {
		return helper.ExitStatus(1)
	}
	return nil
}

func printDoctor(w io.Writer, r *doctor.Report, now time.Time) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("Stores")
	for _, s := range r.Stores {
		exists := ""
		if !s.Exists {
			exists = " (not created yet)"
		}
		p("  %s store  %s%s", s.Scope, s.Dir, exists)
		p("    config  %s  %s", s.Config, s.ConfigPath)
		p("    vault   %s  %s", s.Vault, s.VaultPath)
		p("    key     %s backend, protected by %s%s", s.Keys.Backend, protection(s.Keys.Protection), detail(s.Keys.Detail))
		for _, l := range [][2]string{{"chosen", s.Keys.Auto}, {"lifetime", s.Keys.Lifetime}, {"cache", s.Keys.Cache}} {
			if l[1] != "" {
				p("      %-8s %s", l[0], l[1])
			}
		}
	}
	p("Autosave  %s (%s)", onOff(r.Autosave.Enabled), r.Autosave.Source)
	p("Contexts")
	if len(r.Contexts) == 0 {
		p("  none")
	}
	for _, c := range r.Contexts {
		mark := " "
		if c.Active {
			mark = "*"
		}
		p("  %s %s", mark, c.Name)
		p("      account  %s (%s), tenant %s, environment %s, %s store", c.AccountID, c.AccountType, c.Tenant, c.Environment, c.Store)
		if c.Subscription != "" {
			p("      subscription  %s", c.Subscription)
		}
		p("      sign-in  %s", c.SignIn)
		for _, t := range c.Tokens {
			p("      token    %s  %s", t.Scope, expiry(t.ExpiresOn, now))
		}
		for _, t := range c.Registries {
			p("      registry %s  %s", t.Host, expiry(t.ExpiresOn, now))
		}
	}
	if r.Implicit != nil {
		p("  implicit context %q from AZURE_CLIENT_ID %s, tenant %s (%s)", "environment", r.Implicit.ClientID, r.Implicit.Tenant, r.Implicit.Credential)
	}
	if len(r.Bindings) > 0 {
		p("Bindings")
		for _, b := range r.Bindings {
			state := "ok"
			if !b.OK {
				state = "MISSING CONTEXT"
			}
			p("  %s -> %s  (%s store) %s", b.Target, b.Context, b.Store, state)
		}
	}
	p("Tools")
	for _, t := range r.Tools {
		state := "not configured"
		if t.Configured {
			state = "configured"
		}
		p("  %-8s %s: %s", t.Name, state, t.Detail)
	}
	if r.Clock != nil {
		switch {
		case r.Clock.Error != "":
			p("Clock  not checked: %s", r.Clock.Error)
		default:
			p("Clock  %s off %s", r.Clock.Skew, r.Clock.Authority)
		}
	}
	problems := 0
	if len(r.Findings) > 0 {
		p("Findings")
	}
	for _, f := range r.Findings {
		if f.Status == doctor.StatusProblem {
			problems++
		}
		p("  %s: %s: %s", f.Status, f.Area, f.Message)
		if f.Fix != "" {
			p("    fix: %s", f.Fix)
		}
	}
	if problems == 0 {
		p("No problems found.")
	} else {
		p("%d problem(s) found.", problems)
	}
}

func protection(p string) string {
	switch p {
	case "os":
		return "the OS keyring"
	case "passphrase":
		return "your passphrase"
	}
	return "file permissions only"
}

func detail(d string) string {
	if d == "" {
		return ""
	}
	return ": " + d
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// expiry says when a token expires, in local time and relative to now.
func expiry(t, now time.Time) string {
	at := t.Local().Format("2006-01-02 15:04:05")
	d := t.Sub(now).Round(time.Second)
	if d <= 0 {
		return "expired " + at + " (" + strings.TrimPrefix((-d).String(), "-") + " ago)"
	}
	return "expires " + at + " (in " + d.String() + ")"
}
