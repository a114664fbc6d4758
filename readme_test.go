package main

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// Every azcred command line in the README must parse with the real
// grammar (flags exist, enums hold), so the docs cannot drift from the
// CLI. What the commands do is exercised by testdata/script.
func TestReadmeExamplesParse(t *testing.T) {
	f, err := os.Open("README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inCode, n := false, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
			continue
		}
		if !inCode {
			continue
		}
		for _, cmd := range commandsIn(line) {
			n++
			args := readmeWords(cmd)
			var cli CLI
			p, err := newParser(&cli, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Parse(args[1:]); err != nil {
				t.Errorf("README: %q does not parse: %v", cmd, err)
			}
		}
	}
	if n < 20 {
		t.Fatalf("found only %d azcred examples in README.md", n)
	}
}

// commandsIn returns the azcred invocations on a shell line (after pipes
// and &&), without trailing comments.
func commandsIn(line string) []string {
	if i := strings.Index(line, " #"); i >= 0 {
		line = line[:i]
	}
	var out []string
	for _, part := range strings.FieldsFunc(line, func(r rune) bool { return r == '|' || r == '&' || r == ';' }) {
		part = strings.TrimSpace(part)
		if strings.HasPrefix(part, "azcred ") {
			out = append(out, part)
		}
	}
	return out
}

// readmeWords splits on spaces, honouring simple single and double quotes.
func readmeWords(s string) []string {
	var words []string
	var cur strings.Builder
	quote := rune(0)
	in := false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}
