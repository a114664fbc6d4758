package main

import (
	"bytes"
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
