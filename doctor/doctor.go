// Package doctor is `azcred doctor`: it reads the stores, contexts and
// bindings through helper, asks install what each caller (git, kubectl,
// docker, pip, cargo) is configured to run, and reports what it found
// with the command that fixes each problem.
package doctor

// This file is `azcred doctor`'s model: what it found, and for each
// problem the command that fixes it. Rules the checks keep:
//   - never a token, secret or key in the report: tokens are shown as
//     scope + expiry, credentials as "stored" or "missing";
//   - no network unless Online is set (only the clock check uses it);
//   - nothing is written: doctor reads the stores and the callers'
//     config files and changes none of them.

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"time"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/store"
)

// Finding levels. Only StatusProblem makes doctor exit 1.
const (
	StatusOK      = "ok"
	StatusInfo    = "info"
	StatusProblem = "problem"
)

// Finding is one thing doctor wants the user to know.
type Finding struct {
	Area    string `json:"area"` // store, keyring, context, binding, git, kubectl, docker, pip, clock
	Status  string `json:"status"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"` // a command, or a short instruction with one
}

// Report is everything doctor found; `--output json` prints it as is.
type Report struct {
	Healthy  bool           `json:"healthy"`
	Stores   []StoreInfo    `json:"stores"`
	Autosave AutosaveInfo   `json:"autosave"`
	Default  string         `json:"defaultContext"`
	Contexts []ContextInfo  `json:"contexts"`
	Bindings []BindingInfo  `json:"bindings"`
	Tools    []ToolInfo     `json:"tools"`
	Clock    *ClockInfo     `json:"clock,omitempty"`
	Findings []Finding      `json:"findings"`
	Implicit *ImplicitInfo  `json:"implicitContext,omitempty"`
	Keyring  *store.KeyInfo `json:"keyring,omitempty"` // the user store's key source
}

// AutosaveInfo says whether state changes are saved and who decided.
type AutosaveInfo struct {
	Enabled bool   `json:"enabled"`
	Source  string `json:"source"` // default, setting, AZCRED_AUTOSAVE or AzContextAutoSave
}

// ImplicitInfo describes the "environment" context from AZURE_* variables.
type ImplicitInfo struct {
	ClientID   string `json:"clientId"`
	Tenant     string `json:"tenant"`
	Credential string `json:"credential"`
}

// Options are doctor's inputs; zero values mean the real thing.
type Options struct {
	Getenv   store.Getenv
	Now      func() time.Time
	LookPath func(string) (string, error)
	// Git is the git binary asked for its credential.helper ("git").
	Git string
	// Online allows the clock check's one request to the authority.
	Online bool
	// HTTPClient is used by the clock check (default: azcred's client).
	HTTPClient *http.Client
}

func (o *Options) defaults() {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.LookPath == nil {
		o.LookPath = exec.LookPath
	}
	if o.Git == "" {
		o.Git = "git"
	}
	if o.HTTPClient == nil {
		o.HTTPClient = helper.NewHTTPClient(15 * time.Second)
	}
}

// Diagnose looks at the stores, the contexts and the callers' config and
// reports what it found. It never fails: whatever it cannot read is
// itself a finding.
func Diagnose(ctx context.Context, o Options) *Report {
	o.defaults()
	r := &Report{Stores: []StoreInfo{}, Contexts: []ContextInfo{}, Bindings: []BindingInfo{}, Tools: []ToolInfo{}, Findings: []Finding{}}
	p, err := helper.OpenProfile(o.Getenv)
	if err != nil {
		r.addUnsafe(err) // e.g. AZCRED_SESSION names a directory azcred did not make
	} else {
		r.Autosave = AutosaveInfo{Enabled: p.Autosave, Source: p.AutosaveSource}
		info := p.User.Keys().Describe()
		r.Keyring = &info
		l, secrets := r.checkStores(p, o)
		r.Autosave = AutosaveInfo{Enabled: p.Autosave, Source: p.AutosaveSource}
		if l != nil {
			r.checkContexts(p, l, secrets, o)
			r.checkBindings(p, l, o)
			if o.Online {
				r.checkClock(ctx, l, o)
			}
		}
	}
	r.checkGit(ctx, o)
	r.checkKube(o)
	r.checkDocker(o)
	r.checkPip(o)
	r.checkCargo(o)
	r.Healthy = true
	for _, f := range r.Findings {
		if f.Status == StatusProblem {
			r.Healthy = false
		}
	}
	return r
}

func (r *Report) add(area, status, msg, fix string) {
	r.Findings = append(r.Findings, Finding{Area: area, Status: status, Message: msg, Fix: fix})
}
