package helper

import "github.com/azcred/azcred/store"

// Bind pins b.Target (normalised) to the context b.Context in s. The
// context may live in the user store while the binding goes to a session
// store: it must exist in one of the profile's stores, and a session keeps
// a reference to a user-store context. It returns the normalised target.
func (c *Call) Bind(s *store.Store, b store.Binding) (string, error) {
	p, l, err := c.Load()
	if err != nil {
		return "", err
	}
	if _, _, ok := p.Find(l, b.Context); !ok {
		return "", UnknownContext(b.Context)
	}
	err = s.Update(func(cfg *store.Config) error {
		t, err := store.NormalizeTarget(b.Target)
		if err != nil {
			return err
		}
		b.Target = t
		if _, ok := cfg.Contexts[b.Context]; !ok && s.IsSession() {
			cfg.Bindings = upsertBinding(cfg.Bindings, b)
			return nil
		}
		return cfg.SetBinding(b)
	})
	return b.Target, err
}

func upsertBinding(bs []store.Binding, b store.Binding) []store.Binding {
	for i := range bs {
		if bs[i].Target == b.Target {
			bs[i] = b
			return bs
		}
	}
	return append(bs, b)
}
