package store

import (
	"fmt"
	"testing"
)

// A view's cost must not grow with the store: compare the two.
func BenchmarkLoadViewSmall(b *testing.B) { benchView(b, 1) }
func BenchmarkLoadViewBig(b *testing.B)   { benchView(b, 1000) }

func benchView(b *testing.B, n int) {
	s := Open(b.TempDir(), nil)
	err := s.Update(func(c *Config) error {
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("filler-%04d", i)
			c.SetContext(&Context{Name: name, Account: Account{ID: fmt.Sprintf("u%d@x", i), Type: AccountUser}, Environment: "AzureCloud"})
			if err := c.SetBinding(Binding{Target: fmt.Sprintf("https://dev.azure.com/filler%04d", i), Context: name}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v, err := s.LoadView()
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := v.Lookup("filler-0000"); !ok {
			b.Fatal("context not found")
		}
		v.MatchBinding("https://dev.azure.com/org/proj/_git/repo")
	}
}
