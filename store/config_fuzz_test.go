package store

import (
	"strings"
	"testing"
)

// FuzzParseConfig: our own store file never panics the parser, every error
// is one line naming the path, and whatever parses can be saved and parsed
// again to the same contexts.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"version":1,"default":"a","contexts":{"a":{"account":{"id":"x","type":"User"},"tenant":"t"}},"bindings":[{"target":"https://dev.azure.com/c","context":"a"}]}`))
	f.Add([]byte("\xEF\xBB\xBF{\"version\":1}"))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`{"version":1,"contexts":{"a":null}}`))
	f.Add([]byte(`{"version":1,"environments":{"e":{"activeDirectoryAuthority":"https://x/"}}}`))
	f.Add([]byte(`[1,2,3]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		const path = "/store/config.json"
		cfg, err := ParseConfig(path, data)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, path) {
				t.Fatalf("error is not one line naming the path: %q", msg)
			}
			return
		}
		s := Open(t.TempDir(), nil)
		if err := s.writeConfig(cfg); err != nil {
			t.Fatal(err)
		}
		again, err := s.Load()
		if err != nil {
			t.Fatalf("a parsed config did not survive a save: %v", err)
		}
		if len(again.Contexts) != len(cfg.Contexts) || again.Default != cfg.Default {
			t.Fatalf("round trip changed the config")
		}
	})
}
