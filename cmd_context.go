package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"text/tabwriter"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/store"
)

// ContextCmd groups the Get/Set/Select/Rename/Remove/Clear/Save/Import-AzContext commands.
type ContextCmd struct {
	List   ContextListCmd   `cmd:"" help:"List saved contexts; the active one is marked * (Get-AzContext -ListAvailable)."`
	Show   ContextShowCmd   `cmd:"" help:"Show one context, the active one by default (Get-AzContext)."`
	Set    ContextSetCmd    `cmd:"" help:"Create a context for a subscription and make it active (Set-AzContext)."`
	Select ContextSelectCmd `cmd:"" help:"Make a saved context the default (Select-AzContext)."`
	Rename ContextRenameCmd `cmd:"" help:"Rename a context (Rename-AzContext)."`
	Remove ContextRemoveCmd `cmd:"" help:"Remove a context and tokens nothing else uses (Remove-AzContext)."`
	Clear  ContextClearCmd  `cmd:"" help:"Remove all contexts and all tokens (Clear-AzContext)."`
	Save   ContextSaveCmd   `cmd:"" help:"Write contexts to a file in Az's Save-AzContext format."`
	Import ContextImportCmd `cmd:"" help:"Import contexts from azcred, Az PowerShell or Azure CLI files (Import-AzContext)."`
}

// contextView is the JSON shape scripts rely on (see CONTRACT.md).
type contextView struct {
	Name    string `json:"name"`
	Active  bool   `json:"active"`
	Account struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"account"`
	Tenant       string `json:"tenant"`
	Subscription struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"subscription"`
	Environment string `json:"environment"`
	Store       string `json:"store"`
}

func viewOf(c *store.Context, active bool, where string) contextView {
	v := contextView{Name: c.Name, Active: active, Tenant: c.Tenant, Environment: c.Environment, Store: where}
	v.Account.ID, v.Account.Type = c.Account.ID, c.Account.Type
	v.Subscription.ID, v.Subscription.Name = c.Subscription.ID, c.Subscription.Name
	if v.Environment == "" {
		v.Environment = store.DefaultEnvironment
	}
	return v
}

func (a *app) contextViews(p *helper.Profile, l *helper.Loaded) []contextView {
	active := a.call.ActiveName(l)
	var out []contextView
	seen := map[string]bool{}
	if l.Session != nil {
		for _, n := range l.Session.ContextNames() {
			out = append(out, viewOf(l.Session.Contexts[n], n == active, "session"))
			seen[n] = true
		}
	}
	for _, n := range l.User.ContextNames() {
		if !seen[n] {
			out = append(out, viewOf(l.User.Contexts[n], n == active, "user"))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ContextListCmd lists contexts.
type ContextListCmd struct {
	outputFlag
	Wide bool `help:"Show long context names whole (the table shortens them to keep the columns readable)."`
}

// nameColumn is the widest NAME the table shows without --wide: Az's
// default names ("{SubName} ({SubId}) - {TenantId} - {AccountId}") run
// past 120 characters, and the account, tenant and subscription are in
// their own columns anyway.
const nameColumn = 48

// shortName shortens a name to nameColumn runes with "…" in the middle:
// Az's names start with the subscription and end with the account, which
// is what tells two contexts of one subscription apart.
func shortName(s string) (string, bool) {
	r := []rune(s)
	if len(r) <= nameColumn {
		return s, false
	}
	head := (nameColumn - 1) / 2
	tail := nameColumn - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:]), true
}

func (c *ContextListCmd) Run(a *app) error {
	p, l, err := a.load()
	if err != nil {
		return err
	}
	views := a.contextViews(p, l)
	if c.Output == "json" {
		if views == nil {
			views = []contextView{}
		}
		return writeJSON(a, views)
	}
	if len(views) == 0 {
		a.notef("no saved contexts")
		a.notef("hint: run 'azcred login' or 'azcred context import PATH'")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\tNAME\tACCOUNT\tTYPE\tTENANT\tSUBSCRIPTION\tENVIRONMENT")
	shortened := false
	for _, v := range views {
		mark := ""
		if v.Active {
			mark = "*"
		}
		name := v.Name
		if !c.Wide {
			var cut bool
			name, cut = shortName(name)
			shortened = shortened || cut
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", mark, name, v.Account.ID, v.Account.Type, v.Tenant, v.Subscription.Name, v.Environment)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if shortened {
		a.notef("long names are shortened (…): 'azcred context list --wide' shows them whole; 'azcred context rename OLD NEW' gives a context a short one")
	}
	return nil
}

func writeJSON(a *app, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = a.stdout.Write(append(b, '\n'))
	return err
}

// ContextShowCmd shows one context.
type ContextShowCmd struct {
	Name string `arg:"" optional:"" help:"Context name (default: the active one)." predictor:"context"`
	outputFlag
}

func (c *ContextShowCmd) Run(a *app) error {
	p, l, err := a.load()
	if err != nil {
		return err
	}
	name := c.Name
	if name == "" {
		name = a.call.ActiveName(l)
		if name == "" {
			return helper.WithHint(errors.New("no active context"), "run 'azcred context select NAME' or 'azcred login'")
		}
	}
	ctx, s, ok := p.Find(l, name)
	if !ok {
		return helper.UnknownContext(name)
	}
	where := "user"
	if s.IsSession() {
		where = "session"
	}
	v := viewOf(ctx, name == a.call.ActiveName(l), where)
	if c.Output == "json" {
		return writeJSON(a, v)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	for _, row := range [][2]string{{"Name", v.Name}, {"Active", fmt.Sprint(v.Active)}, {"Account", v.Account.ID},
		{"Type", v.Account.Type}, {"Tenant", v.Tenant}, {"Subscription", v.Subscription.Name}, {"SubscriptionId", v.Subscription.ID},
		{"Environment", v.Environment}, {"Store", v.Store}} {
		fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
	}
	return tw.Flush()
}

// storeOf loads the profile and finds the store that holds context name.
func (a *app) storeOf(name string) (*helper.Profile, *helper.Loaded, *store.Store, error) {
	p, l, err := a.load()
	if err != nil {
		return nil, nil, nil, err
	}
	if _, s, ok := p.Find(l, name); ok {
		return p, l, s, nil
	}
	return nil, nil, nil, helper.UnknownContext(name)
}

// ContextSelectCmd makes a context the default.
type ContextSelectCmd struct {
	Name string `arg:"" help:"Context name." predictor:"context"`
	scopeFlag
}

func (c *ContextSelectCmd) Run(a *app) error {
	_, _, s, err := a.storeOf(c.Name)
	if err != nil {
		return err
	}
	if c.process() {
		a.exports(c.shellName(a.getenv), [2]string{"AZCRED_CONTEXT", c.Name})
		return nil
	}
	err = s.Update(func(cfg *store.Config) error {
		if _, err := cfg.Context(c.Name); err != nil {
			return err
		}
		cfg.Default = c.Name
		return nil
	})
	if err != nil {
		return err
	}
	a.saved(s, fmt.Sprintf("default context is now %q", c.Name))
	return nil
}

// ContextRenameCmd renames a context.
type ContextRenameCmd struct {
	Old string `arg:"" help:"Current name." predictor:"context"`
	New string `arg:"" help:"New name."`
}

func (c *ContextRenameCmd) Run(a *app) error {
	_, _, s, err := a.storeOf(c.Old)
	if err != nil {
		return err
	}
	if err := s.Update(func(cfg *store.Config) error { return cfg.RenameContext(c.Old, c.New) }); err != nil {
		return err
	}
	a.saved(s, fmt.Sprintf("renamed %q to %q", c.Old, c.New))
	return nil
}

// ContextRemoveCmd removes a context.
type ContextRemoveCmd struct {
	Name string `arg:"" help:"Context name." predictor:"context"`
}

func (c *ContextRemoveCmd) Run(a *app) error {
	_, _, s, err := a.storeOf(c.Name)
	if err != nil {
		return err
	}
	if err := helper.RemoveContext(s, c.Name); err != nil {
		return err
	}
	a.saved(s, fmt.Sprintf("removed context %q", c.Name))
	return nil
}

// ContextClearCmd removes every context and token.
type ContextClearCmd struct {
	scopeFlag
}

func (c *ContextClearCmd) Run(a *app) error {
	p, err := a.Profile()
	if err != nil {
		return err
	}
	s := p.User
	if c.process() {
		if p.Session == nil {
			return helper.WithHint(errors.New("this shell has no session store"), "use --scope user to clear the user store")
		}
		s = p.Session
	} else if _, err := p.Load(); err != nil { // applies the stored autosave setting
		return err
	}
	if err := s.Clear(); err != nil {
		return err
	}
	a.saved(s, "removed all contexts and tokens")
	return nil
}

// ContextSaveCmd writes contexts in Az's Save-AzContext format.
type ContextSaveCmd struct {
	Path       string `arg:"" help:"File to write." type:"path"`
	Name       string `arg:"" optional:"" help:"Context to save (default: the active one)." predictor:"context"`
	WithTokens bool   `help:"Include the token cache (refresh tokens): treat the file as a secret."`
}

func (c *ContextSaveCmd) Run(a *app) error {
	data, name, err := a.call.SaveAz(c.Name, c.WithTokens)
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(c.Path)
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return err
	}
	if err := store.WriteFileAtomic(abs, data, 0o600); err != nil {
		return fmt.Errorf("cannot write %s: %w", abs, err)
	}
	a.notef("saved context %q to %s", name, abs)
	return nil
}

// ContextImportCmd imports contexts from a file.
type ContextImportCmd struct {
	Path string `arg:"" help:"An azcred config.json, Az PowerShell AzureRmContext.json or Save-AzContext file, Azure CLI azureProfile.json, or an Azure CLI directory (~/.azure: its token cache too, so no second sign-in)." type:"path"`
	scopeFlag
}

func (c *ContextImportCmd) Run(a *app) error {
	abs, _ := filepath.Abs(c.Path)
	abs = store.CLIProfilePath(abs)
	data, err := store.ReadFileLimited(abs)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", abs, errors.Unwrap(err))
	}
	im, err := store.ParseImport(abs, data)
	if err != nil {
		return err
	}
	if im.Format == store.FormatAzureCLI {
		store.AttachCLICache(im, filepath.Dir(abs))
	}
	_, s, err := a.targetStore(c.scopeFlag)
	if err != nil {
		return err
	}
	added, missing, err := helper.Import(s, im)
	if err != nil {
		return err
	}
	a.saved(s, fmt.Sprintf("imported %d context(s) from %s (%s)", len(added), abs, im.Format))
	for _, n := range added {
		a.notef("  %s", n)
	}
	for _, n := range im.Notes {
		a.notef("note: %s", n)
	}
	for _, e := range missing {
		a.notef("warning: environment %q is not defined; run: %s", e, helper.Cmd("environment", "add", e, "--authority", "URL", "--resource-manager", "URL"))
	}
	return nil
}

// targetStore returns the store a state change goes to: the user store,
// or for --scope process a session store (created, and its export
// printed, when this shell has none).
func (a *app) targetStore(sc scopeFlag) (*helper.Profile, *store.Store, error) {
	p, s, fresh, err := a.openTarget(sc)
	if fresh {
		a.exports(sc.shellName(a.getenv), [2]string{"AZCRED_SESSION", s.Dir()})
	}
	return p, s, err
}

// openTarget is targetStore without the export: fresh says a new session
// store was made, which the caller exports once the command has worked,
// or removes when it failed.
func (a *app) openTarget(sc scopeFlag) (p *helper.Profile, s *store.Store, fresh bool, err error) {
	p, _, err = a.load()
	if err != nil {
		return nil, nil, false, err
	}
	if !sc.process() {
		return p, p.User, false, nil
	}
	if p.Session != nil {
		return p, p.Session, false, nil
	}
	dir, err := helper.NewSessionDir(a.getenv)
	if err != nil {
		return nil, nil, false, err
	}
	p.Session = store.OpenSession(dir, helper.SessionKeys(dir))
	return p, p.Session, true, nil
}
