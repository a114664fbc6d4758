package main

import (
	"reflect"
	"testing"
)

// pip's and uv's command lines reach the keyring flow whole: kong passes
// options through untouched, and the fast path, where it takes one, agrees.
func TestKeyringArgsReachTheFlow(t *testing.T) {
	for _, argv := range [][]string{
		{"keyring", "get", "https://h/simple/", "azcred"},
		{"keyring", "get", "https://h/simple/", "--mode", "creds"},
		{"keyring", "--mode=creds", "--output", "json", "get", "h"},
		{"keyring", "-b", "x", "get", "h", "u"},
	} {
		var cli CLI
		p, err := newParser(&cli, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Parse(argv); err != nil {
			t.Fatalf("%q: kong: %v", argv, err)
		}
		if !reflect.DeepEqual(cli.Keyring.Args, argv[1:]) {
			t.Errorf("%q: kong gave %q", argv, cli.Keyring.Args)
		}
		if fast, _, ok := fastCommand(argv); ok && !reflect.DeepEqual(fast.(*KeyringCmd).Args, argv[1:]) {
			t.Errorf("%q: fast path gave %q", argv, fast.(*KeyringCmd).Args)
		}
	}
	if _, _, ok := fastCommand([]string{"keyring", "get", "h", "u"}); !ok {
		t.Error("pip's plain command line misses the fast path")
	}
}
