package main

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestDispatch(t *testing.T) {
	tests := []struct {
		argv []string
		want []string
	}{
		{[]string{"azcred", "context", "list"}, []string{"context", "list"}},
		{[]string{"/usr/local/bin/git-credential-azcred", "get"}, []string{"git", "get"}},
		{[]string{`C:\tools\git-credential-azcred.exe`, "get"}, []string{"git", "get"}},
		{[]string{"docker-credential-azcred", "list"}, []string{"docker", "list"}},
		{[]string{`C:\bin\Docker-Credential-Azcred.EXE`, "get"}, []string{"docker", "get"}},
		{[]string{"azcred.exe", "version"}, []string{"version"}},
		{[]string{"/home/me/.local/share/azcred/bin/keyring", "get", "https://h/simple/", "azcred"}, []string{"keyring", "get", "https://h/simple/", "azcred"}},
		{[]string{`C:\Users\me\AppData\Local\azcred\bin\keyring.exe`, "get", "h", "u"}, []string{"keyring", "get", "h", "u"}},
		// cargo runs a provider as PROGRAM --cargo-plugin, nothing more.
		{[]string{"azcred", "--cargo-plugin"}, []string{"cargo", "--cargo-plugin"}},
	}
	for _, tt := range tests {
		t.Run(tt.argv[0], func(t *testing.T) {
			if got := dispatch(tt.argv); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("dispatch(%q) = %q, want %q", tt.argv, got, tt.want)
			}
		})
	}
}

// In git and docker mode, nothing but the reply reaches stdout, even for
// usage errors that kong would answer with help.
func TestProtocolModeKeepsStdoutClean(t *testing.T) {
	for _, argv := range [][]string{
		{"git-credential-azcred", "--bogus-flag", "get"},
		{"docker-credential-azcred", "--help"},
		{"git-credential-azcred", "frobnicate"},
		{"keyring", "--help"},
		{"keyring", "set", "h", "u"},
	} {
		var out, errb bytes.Buffer
		env := func(k string) string {
			if k == "AZCRED_CONFIG_DIR" {
				return t.TempDir()
			}
			return ""
		}
		run(argv, strings.NewReader(""), &out, &errb, env)
		if out.Len() != 0 {
			t.Errorf("%q wrote to stdout: %q", argv, out.String())
		}
	}
}

// As cargo's provider, every line on stdout is a protocol message and
// failures are replies, not exit statuses (cargo reports a failed exit
// instead of our message).
func TestCargoPluginStdoutIsProtocol(t *testing.T) {
	dir := t.TempDir()
	env := func(k string) string {
		if k == "AZCRED_CONFIG_DIR" {
			return dir
		}
		return ""
	}
	in := strings.Join([]string{
		`{"v":1,"registry":{"index-url":"https://index.crates.io/","name":"crates-io"},"kind":"get","operation":"read","args":["cargo"]}`,
		`{"v":1,"registry":{"index-url":"sparse+https://pkgs.dev.azure.com/contoso/_packaging/f/Cargo/index/"},"kind":"get","operation":"read"}`,
		`{"v":1,"registry":{"index-url":"sparse+https://pkgs.dev.azure.com/contoso/_packaging/f/Cargo/index/"},"kind":"login","token":"fake-user-token"}`,
		`{"v":1,"registry":{"index-url":"sparse+https://h/"},"kind":"get","args":["cargo","--bogus"]}`,
		"\x00garbage",
	}, "\n")
	var out, errb bytes.Buffer
	if code := run([]string{"azcred", "--cargo-plugin"}, strings.NewReader(in), &out, &errb, env); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	want := []string{`{"v":[1]}`, `"url-not-supported"`, `"kind":"other","message":"azcred: no saved context`,
		`"kind":"other","message":"azcred stores no registry tokens`, `unknown argument \"--bogus\"`, `not valid JSON`}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) || !json.Valid([]byte(lines[i])) {
			t.Errorf("line %d = %s, want JSON with %s", i, lines[i], w)
		}
	}
	if strings.Contains(out.String()+errb.String(), "fake-user-token") {
		t.Error("the login token was echoed")
	}
}
