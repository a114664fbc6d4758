package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// TestHelpExamples checks that every visible command has examples in its
// --help, and that every example line of azcred parses with the real
// grammar (lines using the shell's pipes, redirections or substitutions
// are checked up to them).
func TestHelpExamples(t *testing.T) {
	var root *kong.Node
	eachCommand(t, func(n *kong.Node) {
		if n.Parent == nil {
			root = n
		}
		t.Run(n.FullPath(), func(t *testing.T) {
			if !strings.Contains(n.Detail, "Examples:") {
				t.Fatalf("no Examples: in the help of %q", n.FullPath())
			}
			for _, line := range strings.Split(n.Detail, "\n") {
				line = strings.TrimSpace(line)
				if !strings.HasPrefix(line, "azcred ") {
					continue
				}
				if i := strings.IndexAny(line, "|<>"); i >= 0 {
					line = strings.TrimSpace(line[:i])
				}
				args, err := splitExample(line)
				if err != nil {
					t.Fatalf("%s: %v", line, err)
				}
				var fresh CLI
				p, err := kong.New(&fresh, kong.Name("azcred"), kong.Exit(func(int) { t.Fatalf("%s: kong tried to exit", line) }))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := p.Parse(args[1:]); err != nil {
					t.Errorf("example %q does not parse: %v", line, err)
				}
			}
		})
	})
	if !strings.Contains(root.Detail, "Exit status:") {
		t.Error("azcred --help does not document the exit statuses")
	}
}

// TestListCommandsHaveOutput: every command that lists things takes
// --output table|json.
func TestListCommandsHaveOutput(t *testing.T) {
	eachCommand(t, func(n *kong.Node) {
		if n.Name == "list" && n.Parent.Name != "docker" {
			found := false
			for _, f := range n.Flags {
				found = found || (f.Name == "output" && strings.Contains(f.Enum, "json"))
			}
			if !found {
				t.Errorf("%s has no --output json", n.FullPath())
			}
		}
	})
}

// eachCommand calls fn for every node of the CLI's grammar (the root
// included), hidden ones and their children left out.
func eachCommand(t *testing.T, fn func(n *kong.Node)) {
	t.Helper()
	var cli CLI
	parser, err := kong.New(&cli, kong.Name("azcred"))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		if n.Hidden {
			return
		}
		fn(n)
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(parser.Model.Node)
}

// splitExample splits a line like sh does, for the quoting examples use:
// blanks, single quotes and double quotes.
func splitExample(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; c {
		case ' ', '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case '\'', '"':
			j := strings.IndexByte(line[i+1:], c)
			if j < 0 {
				return nil, errUnclosedQuote
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

var errUnclosedQuote = errors.New("unclosed quote")

func TestSplitExample(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"azcred context list", []string{"azcred", "context", "list"}},
		{"azcred context set --subscription 'Contoso Prod'", []string{"azcred", "context", "set", "--subscription", "Contoso Prod"}},
		{`a "b c"d`, []string{"a", "b cd"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := splitExample(tt.line)
			if err != nil || strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("splitExample(%q) = %q, %v; want %q", tt.line, got, err, tt.want)
			}
		})
	}
}

// `azcred help CMD` and `azcred CMD --help` print CMD's help on stdout and
// exit 0 for every visible command, keyring (which passes its arguments
// through) included.
func TestHelpOfEveryCommand(t *testing.T) {
	eachCommand(t, func(n *kong.Node) {
		if n.Parent == nil {
			return
		}
		path := strings.Fields(n.FullPath())[1:]
		for _, argv := range [][]string{append([]string{"azcred", "help"}, path...), append(append([]string{"azcred"}, path...), "--help")} {
			var out, errb strings.Builder
			code := run(argv, strings.NewReader(""), &out, &errb, func(string) string { return "" })
			if code != 0 || !strings.HasPrefix(out.String(), "Usage: azcred "+strings.Join(path, " ")) {
				t.Errorf("%q: exit %d, stdout %.60q, stderr %q", argv, code, out.String(), errb.String())
			}
		}
	})
}
