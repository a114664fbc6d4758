package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// The fast path parses with kong, so it takes what the whole grammar takes
// and fills the same fields; anything else is left to the whole grammar.
func TestFastCommandParsesAsKong(t *testing.T) {
	tests := []struct {
		argv  []string
		want  any
		debug bool
	}{
		{[]string{"git", "--context", "work", "get"}, &GitCmd{Context: "work", Action: "get"}, false},
		{[]string{"git", "erase", "extra", "args"}, &GitCmd{Action: "erase", Rest: []string{"extra", "args"}}, false},
		{[]string{"kube", "--server-id", "abc", "--tenant=t1", "--debug"}, &KubeCmd{ServerID: "abc", Tenant: "t1"}, true},
		{[]string{"docker", "get"}, &DockerCmd{Action: "get"}, false},
		{[]string{"token", "--resource", "https://x.example", "-o", "raw"}, &TokenCmd{Resource: "https://x.example", Output: "raw"}, false},
		{[]string{"token"}, &TokenCmd{Output: "json"}, false},
		// keyring passes everything through, flags included (pip's --mode).
		{[]string{"keyring", "get", "https://x.example/simple", "azcred", "--mode", "creds"}, &KeyringCmd{Args: []string{"get", "https://x.example/simple", "azcred", "--mode", "creds"}}, false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.argv, " "), func(t *testing.T) {
			cmd, debug, ok := fastCommand(tt.argv)
			if !ok {
				t.Fatalf("fast path refused %q", tt.argv)
			}
			if got, want := strings.TrimSpace(dump(cmd)), strings.TrimSpace(dump(tt.want)); got != want || debug != tt.debug {
				t.Errorf("fast path parsed %s (debug %v), want %s (debug %v)", got, debug, want, tt.debug)
			}
		})
	}
	for _, argv := range [][]string{
		{"token", "--help"}, {"token", "-o", "yaml"}, {"kube", "--nope"}, {"kube", "--server-id"},
		{"token", "--scope", "a/.default", "--resource", "https://b"}, // xor
		{"login"},
	} {
		if _, _, ok := fastCommand(argv); ok {
			t.Errorf("fast path accepted %q; the whole grammar must handle it", argv)
		}
	}
}

// --scope and --resource exclude each other: a usage error (exit 2) on the
// command line a script would type, never a token for one of the two.
func TestTokenScopeXorResource(t *testing.T) {
	var out, errb bytes.Buffer
	dir := t.TempDir()
	env := func(k string) string {
		if k == "AZCRED_CONFIG_DIR" {
			return dir
		}
		return ""
	}
	code := run([]string{"azcred", "token", "--scope", "a/.default", "--resource", "https://b"}, strings.NewReader(""), &out, &errb, env)
	if code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), "--scope and --resource cannot be used together") {
		t.Errorf("exit %d, stdout %q, stderr %q; want a usage error (exit 2) naming --scope and --resource", code, out.String(), errb.String())
	}
}

func dump(v any) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%+v", v)
	return b.String()
}

// The parse that every warm `azcred token` pays (the whole grammar costs
// about 1.3 ms; see BenchmarkKubeWarm for whole processes).
func BenchmarkFastCommand(b *testing.B) {
	argv := []string{"token", "--scope", "https://vault.azure.net/.default", "-o", "raw"}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, ok := fastCommand(argv); !ok {
			b.Fatal("fast path refused")
		}
	}
}

func BenchmarkWholeGrammar(b *testing.B) {
	argv := []string{"token", "--scope", "https://vault.azure.net/.default", "-o", "raw"}
	b.ReportAllocs()
	for b.Loop() {
		var cli CLI
		p, err := newParser(&cli, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Parse(argv); err != nil {
			b.Fatal(err)
		}
	}
}
