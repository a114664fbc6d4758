package main

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/store"
)

// AutosaveCmd shows or changes autosave (Enable/Disable-AzContextAutosave).
type AutosaveCmd struct {
	Action string `arg:"" optional:"" enum:"enable,disable," default:"" help:"enable or disable; without it, show the setting."`
	scopeFlag
}

func (c *AutosaveCmd) Run(a *app) error {
	p, _, err := a.load()
	if err != nil {
		return err
	}
	if c.Action == "" {
		state := "on"
		if !p.Autosave {
			state = "off"
		}
		fmt.Fprintf(a.stdout, "autosave is %s (from %s)\n", state, p.AutosaveSource)
		return nil
	}
	on := c.Action == "enable"
	if c.process() {
		a.exports(c.shellName(a.getenv), [2]string{"AZCRED_AUTOSAVE", fmt.Sprint(on)})
		return nil
	}
	// The setting itself is always written, even while autosave is off:
	// otherwise it could never be turned back on.
	s := store.Open(p.User.Dir(), nil)
	err = s.Update(func(cfg *store.Config) error {
		cfg.Settings.Autosave = &on
		return nil
	})
	if err != nil {
		return err
	}
	a.saved(s, "autosave "+c.Action+"d")
	if src := p.AutosaveSource; src == "AZCRED_AUTOSAVE" || src == "AzContextAutoSave" {
		a.notef("note: %s is set in this shell and overrides the saved setting", src)
	}
	return nil
}

// EnvironmentCmd manages clouds (Get/Add/Remove-AzEnvironment).
type EnvironmentCmd struct {
	List   EnvListCmd   `cmd:"" help:"List environments, built-in and custom."`
	Add    EnvAddCmd    `cmd:"" help:"Add or update a custom environment (Azure Stack, a private or test cloud)."`
	Remove EnvRemoveCmd `cmd:"" help:"Remove a custom environment."`
}

// EnvListCmd lists environments.
type EnvListCmd struct {
	outputFlag
}

func (c *EnvListCmd) Run(a *app) error {
	_, l, err := a.load()
	if err != nil {
		return err
	}
	envs := l.User.AllEnvironments()
	if l.Session != nil {
		for _, e := range l.Session.AllEnvironments() {
			if !e.BuiltIn {
				envs = append(envs, e)
			}
		}
	}
	if c.Output == "json" {
		type view struct {
			store.Environment
			BuiltIn bool `json:"builtIn"`
		}
		out := make([]view, len(envs))
		for i, e := range envs {
			out[i] = view{e, e.BuiltIn}
		}
		return writeJSON(a, out)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tAUTHORITY\tRESOURCE MANAGER\tREGISTRY SUFFIX\tKIND")
	for _, e := range envs {
		kind := "custom"
		if e.BuiltIn {
			kind = "built-in"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Name, e.Authority, e.ResourceManager, e.RegistrySuffix, kind)
	}
	return tw.Flush()
}

// EnvAddCmd adds a custom environment.
type EnvAddCmd struct {
	Name               string `arg:"" help:"Environment name."`
	Authority          string `required:"" help:"Entra ID authority host URL, e.g. https://login.example.com/."`
	ResourceManager    string `required:"" help:"Resource Manager URL."`
	ManagementResource string `help:"Resource Manager token audience (default https://management.core.windows.net/, as Az)."`
	RegistrySuffix     string `help:"Container registry host suffix, e.g. azurecr.example."`
	scopeFlag
}

func (c *EnvAddCmd) Run(a *app) error {
	if store.IsBuiltinEnvironment(c.Name) {
		return helper.WithHint(fmt.Errorf("%s is a built-in environment", c.Name), "choose another name")
	}
	env := &store.Environment{Name: c.Name, Authority: c.Authority, ResourceManager: c.ResourceManager,
		ManagementResource: c.ManagementResource, RegistrySuffix: c.RegistrySuffix}
	if env.ManagementResource == "" {
		env.ManagementResource = store.DefaultManagementResource
	}
	if err := env.Validate(); err != nil {
		return err
	}
	_, s, err := a.targetStore(c.scopeFlag)
	if err != nil {
		return err
	}
	err = s.Update(func(cfg *store.Config) error {
		cfg.Environments[c.Name] = env
		return nil
	})
	if err != nil {
		return err
	}
	a.saved(s, fmt.Sprintf("environment %q saved", c.Name))
	return nil
}

// EnvRemoveCmd removes a custom environment.
type EnvRemoveCmd struct {
	Name string `arg:"" help:"Environment name." predictor:"environment"`
	scopeFlag
}

func (c *EnvRemoveCmd) Run(a *app) error {
	if store.IsBuiltinEnvironment(c.Name) {
		return fmt.Errorf("%s is a built-in environment and cannot be removed", c.Name)
	}
	_, s, err := a.targetStore(c.scopeFlag)
	if err != nil {
		return err
	}
	err = s.Update(func(cfg *store.Config) error {
		if _, ok := cfg.Environments[c.Name]; !ok {
			return &store.NotFoundError{Kind: "custom environment", Name: c.Name}
		}
		for _, n := range cfg.ContextNames() {
			if cfg.Contexts[n].Environment == c.Name {
				return helper.WithHint(fmt.Errorf("context %q uses environment %q", n, c.Name), "run first: %s", helper.Cmd("context", "remove", n))
			}
		}
		delete(cfg.Environments, c.Name)
		return nil
	})
	if err != nil {
		return err
	}
	a.saved(s, fmt.Sprintf("environment %q removed", c.Name))
	return nil
}

// BindCmd pins targets to contexts.
type BindCmd struct {
	Set  BindSetCmd  `cmd:"" default:"withargs" hidden:"" help:"bind TARGET CONTEXT."`
	List BindListCmd `cmd:"" help:"List bindings."`
}

// BindSetCmd is `bind TARGET CONTEXT`.
type BindSetCmd struct {
	Target     string `arg:"" help:"A URL prefix (https://dev.azure.com/contoso), a registry host (contoso.azurecr.io) or a cluster server URL."`
	Context    string `arg:"" help:"Context name." predictor:"context"`
	OAuthScope string `name:"oauth-scope" help:"OAuth scope for this target (e.g. API/.default)."`
	Tenant     string `help:"Tenant for this target."`
	bindScopeFlag
}

// bindScopeFlag is --scope user|process on bind and unbind, as on every
// other command. bind's --scope once named the OAuth scope (the contract
// still shows it), so a value other than user or process is read as
// --oauth-scope; --save-scope is the old name of the user|process flag.
type bindScopeFlag struct {
	Scope     string `help:"Where the change holds: user (saved for every new shell) or process (this shell only: prints shell code to eval)." placeholder:"user|process"`
	SaveScope string `name:"save-scope" hidden:"" enum:"user,process," default:""`
	Shell     string `help:"Shell syntax for --scope process output." enum:"sh,fish,pwsh," default:""`
}

// split returns where the change goes and, from the old spelling, an
// OAuth scope.
func (s bindScopeFlag) split() (where scopeFlag, oauth string, err error) {
	where = scopeFlag{Scope: "user", Shell: s.Shell}
	switch {
	case s.Scope == "user" || s.Scope == "process":
		where.Scope = s.Scope
		if s.SaveScope != "" && s.SaveScope != s.Scope {
			return where, "", helper.WithHint(errors.New("--scope and --save-scope disagree"), "use --scope user or --scope process alone")
		}
	case s.SaveScope != "":
		where.Scope, oauth = s.SaveScope, s.Scope
	default:
		oauth = s.Scope
	}
	return where, oauth, nil
}

func (c *BindSetCmd) Run(a *app) error {
	where, oauth, err := c.split()
	if err != nil {
		return err
	}
	if oauth != "" && c.OAuthScope != "" {
		return helper.WithHint(errors.New("--scope "+oauth+" and --oauth-scope cannot be used together"), "name the OAuth scope with --oauth-scope, and --scope user or process")
	}
	if oauth == "" {
		oauth = c.OAuthScope
	}
	_, s, err := a.targetStore(where)
	if err != nil {
		return err
	}
	target, err := a.call.Bind(s, store.Binding{Target: c.Target, Context: c.Context, Scope: oauth, Tenant: c.Tenant})
	if err != nil {
		return err
	}
	a.saved(s, fmt.Sprintf("%s is bound to %q", target, c.Context))
	return nil
}

// BindListCmd lists bindings.
type BindListCmd struct {
	outputFlag
}

func (c *BindListCmd) Run(a *app) error {
	_, l, err := a.load()
	if err != nil {
		return err
	}
	type view struct {
		store.Binding
		Store string `json:"store"`
	}
	var out []view
	if l.Session != nil {
		for _, b := range l.Session.Bindings {
			out = append(out, view{b, "session"})
		}
	}
	for _, b := range l.User.Bindings {
		out = append(out, view{b, "user"})
	}
	if c.Output == "json" {
		if out == nil {
			out = []view{}
		}
		return writeJSON(a, out)
	}
	if len(out) == 0 {
		a.notef("no bindings; add one with 'azcred bind TARGET CONTEXT'")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tCONTEXT\tSCOPE\tTENANT\tSTORE")
	for _, b := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", b.Target, b.Context, b.Scope, b.Tenant, b.Store)
	}
	return tw.Flush()
}

// UnbindCmd removes a binding.
type UnbindCmd struct {
	Target string `arg:"" help:"The bound target." predictor:"binding"`
	bindScopeFlag
}

func (c *UnbindCmd) Run(a *app) error {
	where, oauth, err := c.split()
	if err != nil {
		return err
	}
	if oauth != "" {
		return helper.WithHint(fmt.Errorf("--scope is user or process, not %q", oauth), "run 'azcred unbind --help'")
	}
	_, s, err := a.targetStore(where)
	if err != nil {
		return err
	}
	if err := s.Update(func(cfg *store.Config) error { return cfg.RemoveBinding(c.Target) }); err != nil {
		var nf *store.NotFoundError
		if errors.As(err, &nf) {
			return helper.WithHint(err, "run 'azcred bind list' to see the bindings")
		}
		return err
	}
	a.saved(s, "binding removed")
	return nil
}
