package store

import (
	"fmt"
	"math/rand"
	"os"
	"testing"
	"time"
)

// A view answers every lookup exactly as the full config does.
func TestViewMatchesFullConfig(t *testing.T) {
	s := testStore(t)
	rng := rand.New(rand.NewSource(1))
	hosts := []string{"dev.azure.com", "contoso.visualstudio.com", "r.azurecr.io", "aks.example:443", "h"}
	segs := []string{"", "/org", "/org/proj", "/Org/p q", "/org/proj/_git/repo", "/a&b"}
	target := func() string {
		h := hosts[rng.Intn(len(hosts))]
		switch rng.Intn(3) {
		case 0:
			return h
		case 1:
			return "http://" + h + segs[rng.Intn(len(segs))]
		}
		return "https://" + h + segs[rng.Intn(len(segs))]
	}
	err := s.Update(func(c *Config) error {
		for i := 0; i < 30; i++ {
			c.SetContext(&Context{Name: fmt.Sprintf("ctx \"%d\" ü", i), Account: Account{ID: fmt.Sprintf("u%d@x", i), Type: AccountUser}, Environment: "AzureCloud"})
		}
		for i := 0; i < 40; i++ {
			c.SetBinding(Binding{Target: target(), Context: fmt.Sprintf("ctx \"%d\" ü", rng.Intn(30)), Scope: fmt.Sprint(i)})
		}
		c.Default = "ctx \"3\" ü"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	full, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	view, err := s.LoadView()
	if err != nil {
		t.Fatal(err)
	}
	if view.index == nil {
		t.Fatal("LoadView did not use the index it just got written")
	}
	if view.Default != full.Default {
		t.Errorf("default: view %q, full %q", view.Default, full.Default)
	}
	for i := 0; i < 2000; i++ {
		tg := target() + segs[rng.Intn(len(segs))]
		want, got := full.MatchBinding(tg), view.MatchBinding(tg)
		if (want == nil) != (got == nil) || want != nil && *want != *got {
			t.Fatalf("MatchBinding(%q): full %+v, view %+v", tg, want, got)
		}
	}
	for _, name := range append(full.ContextNames(), "nope", "ctx") {
		w, wok := full.Lookup(name)
		g, gok := view.Lookup(name)
		if wok != gok || wok && (w.Name != g.Name || w.Account.ID != g.Account.ID || w.AccountKey() != g.AccountKey()) {
			t.Errorf("Lookup(%q): full %+v %v, view %+v %v", name, w, wok, g, gok)
		}
	}
}

// An index that does not describe config.json (edited by hand, or
// written by an older azcred) is ignored, and rewritten.
func TestStaleIndexIgnored(t *testing.T) {
	s := testStore(t)
	addCtx(t, s, "work", "alice@contoso.example")
	data, _ := os.ReadFile(s.ConfigPath())
	edited := []byte(string(data[:len(data)-2]) + ",\n  \"default\": \"work\"\n}\n")
	if err := os.WriteFile(s.ConfigPath(), edited, 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Second)
	os.Chtimes(s.ConfigPath(), later, later)
	view, err := s.LoadView()
	if err != nil {
		t.Fatal(err)
	}
	if view.Default != "work" {
		t.Fatalf("view after a hand edit: default %q, want the edited %q", view.Default, "work")
	}
	again, err := s.LoadView()
	if err != nil || again.index == nil || again.Default != "work" {
		t.Fatalf("index not rewritten after the fallback: %v, indexed %v", err, again != nil && again.index != nil)
	}
}
