package main

import (
	"strings"
	"testing"
)

// Parse errors in azcred's words, each with the help of the command meant.
func TestParseFailureWording(t *testing.T) {
	tests := []struct {
		args       string
		msg, hint  string
		notContain string
	}{
		{"login --tenant", "--tenant needs a value", "run 'azcred login --help'", "EOL"},
		{"context list --output", "--output needs a value", "run 'azcred context list --help'", "EOL"},
		{"context frob", `unknown command or extra argument "frob"`, "run 'azcred context --help'", ""},
		{"token --resource a --scope b", "--scope and --resource cannot be used together: choose one", "run 'azcred token --help'", "can't"},
		{"login --scope x", `--scope must be one of "user","process", not "x"`, "run 'azcred login --help'", "but got"},
		{"frob", `unknown command or extra argument "frob"`, "run 'azcred --help'", ""},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			var cli CLI
			p, err := newParser(&cli, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Parse(strings.Fields(tt.args))
			if err == nil {
				t.Fatal("parsed")
			}
			msg, hint := parseFailure(err)
			if msg != tt.msg || hint != tt.hint {
				t.Errorf("got %q / %q, want %q / %q", msg, hint, tt.msg, tt.hint)
			}
			if tt.notContain != "" && strings.Contains(msg, tt.notContain) {
				t.Errorf("%q still says %q", msg, tt.notContain)
			}
		})
	}
}

func TestHelpArgs(t *testing.T) {
	for in, want := range map[string]string{"": "--help", "help": "--help", "help context list": "context list --help", "token --help": "token --help"} {
		if got := strings.Join(helpArgs(strings.Fields(in)), " "); got != want {
			t.Errorf("helpArgs(%q) = %q, want %q", in, got, want)
		}
	}
}
