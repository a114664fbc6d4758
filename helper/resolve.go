package helper

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/azcred/azcred/store"
)

// Request is what a caller knows when it asks for a token.
type Request struct {
	// Target is the URL, registry host or cluster server the token is for
	// ("" for `azcred token`).
	Target string
	// Context, Scope and Tenant come from command-line flags; flags beat
	// everything else.
	Context string
	Scope   string
	Tenant  string
	// TenantHint is a tenant the target itself named (git's wwwauth[]
	// authorization_uri); a binding's tenant still wins over it.
	TenantHint string
	// DefaultScope gives the caller's scope for an environment when neither
	// a flag nor a binding sets one.
	DefaultScope func(*store.Environment) string
}

// Resolved is the outcome of resolution: which context, where its tokens
// live, and the scope and tenant to ask for.
type Resolved struct {
	Context *store.Context
	// Store is the store holding the context and its tokens.
	Store   *store.Store
	Env     *store.Environment
	Scope   string
	Tenant  string
	Binding *store.Binding
	// Source says how the context was chosen, for --debug and errors.
	Source string
	// Implicit is set for the implicit "environment" context.
	Implicit *ImplicitCredential
}

// EnvironmentContextName is the name of the implicit context built from
// AZURE_CLIENT_ID, AZURE_TENANT_ID and a credential variable.
const EnvironmentContextName = "environment"

// Resolve picks the context and scope for req, in the contract's order:
// --context, AZCRED_CONTEXT, a binding on the target, the default context,
// the implicit environment context.
func (p *Profile) Resolve(l *Loaded, req Request) (*Resolved, error) {
	r := &Resolved{}
	var tried []string
	pick := func(name, source string) error {
		if c, s, ok := p.Find(l, name); ok {
			r.Context, r.Store, r.Source = c, s, source
			return nil
		}
		if name == EnvironmentContextName {
			if ic, c, ok := ImplicitContext(p.getenv); ok {
				r.Context, r.Store, r.Source, r.Implicit = c, p.Writable(), source, ic
				return nil
			}
		}
		return WithHint(fmt.Errorf("no saved context named %q (from %s)", name, source), "run 'azcred context list' to see the saved contexts")
	}
	switch {
	case req.Context != "":
		if err := pick(req.Context, "--context"); err != nil {
			return nil, err
		}
	case p.getenv("AZCRED_CONTEXT") != "":
		if err := pick(p.getenv("AZCRED_CONTEXT"), "AZCRED_CONTEXT"); err != nil {
			return nil, err
		}
	default:
		if req.Target != "" {
			if b := l.MatchBinding(req.Target); b != nil {
				r.Binding = b
				if err := pick(b.Context, "binding "+b.Target); err != nil {
					return nil, WithHint(fmt.Errorf("binding %s names context %q, which is not saved", b.Target, b.Context),
						"run: %s (with a saved context), or: %s", Cmd("bind", b.Target, "NAME"), Cmd("unbind", b.Target))
				}
				break
			}
			tried = append(tried, "no binding")
		}
		if d := l.Default(); d != "" {
			if err := pick(d, "the default context"); err != nil {
				return nil, err
			}
			break
		}
		tried = append(tried, "no default context")
		if ic, c, ok := ImplicitContext(p.getenv); ok {
			r.Context, r.Store, r.Source, r.Implicit = c, p.Writable(), "AZURE_CLIENT_ID/AZURE_TENANT_ID", ic
			break
		}
		tried = append(tried, "no AZURE_CLIENT_ID/AZURE_TENANT_ID credential")
		return nil, noContextError(req.Target, tried)
	}
	if r.Binding == nil && req.Target != "" {
		r.Binding = l.MatchBinding(req.Target)
		if r.Binding != nil && r.Binding.Context != r.Context.Name {
			r.Binding = nil // a binding for another context carries nothing for this one
		}
	}
	env, err := r.environment(l)
	if err != nil {
		return nil, err
	}
	r.Env = env
	r.Scope = cmp.Or(req.Scope, bindingField(r.Binding, func(b *store.Binding) string { return b.Scope }))
	if r.Scope == "" && req.DefaultScope != nil {
		r.Scope = req.DefaultScope(env)
	}
	r.Tenant = cmp.Or(req.Tenant, bindingField(r.Binding, func(b *store.Binding) string { return b.Tenant }), req.TenantHint, r.Context.Tenant)
	return r, nil
}

func (r *Resolved) environment(l *Loaded) (*store.Environment, error) {
	if r.Implicit != nil && r.Implicit.Env != nil {
		return r.Implicit.Env, nil
	}
	env, err := l.Environment(r.Context.Environment)
	if err != nil {
		return nil, WithHint(fmt.Errorf("context %q uses environment %q, which is not defined", r.Context.Name, r.Context.Environment),
			"run: %s", Cmd("environment", "add", r.Context.Environment, "--authority", "URL", "--resource-manager", "URL"))
	}
	return env, nil
}

func noContextError(target string, tried []string) error {
	what := "no saved context"
	if target != "" {
		what += " for " + target
	}
	err := fmt.Errorf("%s (%s)", what, strings.Join(tried, ", "))
	if target != "" {
		return WithHint(&wrapped{err, ErrNoContext}, "run 'azcred login', or: %s", Cmd("bind", target, "NAME"))
	}
	return WithHint(&wrapped{err, ErrNoContext}, "run 'azcred login' or 'azcred context select NAME'")
}

// wrapped is an error that reads as msg but matches sentinel with errors.Is.
type wrapped struct {
	msg      error
	sentinel error
}

func (w *wrapped) Error() string { return w.msg.Error() }
func (w *wrapped) Unwrap() error { return w.sentinel }

func bindingField(b *store.Binding, f func(*store.Binding) string) string {
	if b == nil {
		return ""
	}
	return f(b)
}

// ScopeFor turns a resource into its ".default" scope the way Azure CLI
// does: "https://management.core.windows.net/" becomes
// "https://management.core.windows.net//.default".
func ScopeFor(resource string) string {
	if strings.HasSuffix(resource, "/.default") {
		return resource
	}
	return resource + "/.default"
}
