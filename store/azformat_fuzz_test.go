package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseImport: whatever the file, ParseImport never panics, its errors
// are one line, and what it accepts can be merged and saved again.
func FuzzParseImport(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(importDir, "*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed samples in %s: %v", importDir, err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	saved, err := SaveAz(roundTripContexts(), testEnvs, []byte(`{"AccessToken":{}}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(saved)
	f.Add([]byte(`{"version":1,"contexts":{"":{}}}`))
	f.Add([]byte(`{"Contexts":{"Default":{"Account":{"Id":" ","Type":"user"},"TokenCache":{"CacheData":"!!"}}}}`))
	f.Add([]byte(`{"subscriptions":[null,{"user":{}}]}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		im, err := ParseImport("fuzz.json", data)
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\r\n") || !strings.Contains(msg, "fuzz.json") {
				t.Fatalf("error is not one line naming the file: %q", msg)
			}
			return
		}
		for _, c := range im.Contexts {
			if strings.TrimSpace(c.Name) == "" || strings.IndexFunc(c.Name, breaksLine) >= 0 {
				t.Fatalf("unusable context name %q", c.Name)
			}
		}
		for _, n := range im.Notes {
			if strings.ContainsAny(n, "\r\n") {
				t.Fatalf("note is not one line: %q", n)
			}
		}
		cfg := NewConfig()
		names := MergeImport(cfg, im)
		if len(names) > 0 && cfg.Contexts[cfg.Default] == nil {
			t.Fatalf("default %q is not an imported context", cfg.Default)
		}
		var ctxs []*Context
		for _, n := range names {
			ctxs = append(ctxs, cfg.Contexts[n])
		}
		if len(ctxs) > 0 && len(im.MissingEnvironments(cfg)) == 0 {
			if _, err := SaveAz(ctxs, cfg.Environment, im.MSALCache); err != nil {
				t.Fatalf("imported contexts cannot be saved: %v", err)
			}
		}
	})
}
