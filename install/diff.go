package install

// A small line diff for dry runs, in unified format with three lines of context.
// It redacts secret values (tokens, passwords, client secrets, key material) because the
// lines we remove from a kubeconfig are exactly the ones that hold cached tokens.

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
)

// maxDiffCells bounds the LCS table; beyond it we show the changed middle as a block.
const maxDiffCells = 4_000_000

type diffLine struct {
	op   byte // ' ', '-' or '+'
	text string
}

// writeDiff writes a unified diff from old to new, naming path.
func writeDiff(w io.Writer, path string, old, new []byte) {
	a, b := redactAll(splitLines(old)), redactAll(splitLines(new))
	lines := diffLines(a, b)
	fmt.Fprintf(w, "--- %s\n+++ %s (azcred)\n", path, path)
	const context = 3
	for i := 0; i < len(lines); {
		if lines[i].op == ' ' {
			i++
			continue
		}
		// A hunk: from context lines before the first change to context lines after the
		// last change that is no further than 2*context from the previous one.
		start := max(i-context, 0)
		end := i
		for j := i; j < len(lines); j++ {
			if lines[j].op != ' ' {
				end = j
			} else if j-end > 2*context {
				break
			}
		}
		end = min(end+context+1, len(lines))
		oldStart, newStart, oldN, newN := position(lines, start, end)
		fmt.Fprintf(w, "@@ -%d,%d +%d,%d @@\n", oldStart, oldN, newStart, newN)
		for _, l := range lines[start:end] {
			fmt.Fprintf(w, "%c%s\n", l.op, l.text)
		}
		i = end
	}
}

// position computes the 1-based start lines and lengths of lines[start:end] in old and new.
func position(lines []diffLine, start, end int) (oldStart, newStart, oldN, newN int) {
	for _, l := range lines[:start] {
		if l.op != '+' {
			oldStart++
		}
		if l.op != '-' {
			newStart++
		}
	}
	for _, l := range lines[start:end] {
		if l.op != '+' {
			oldN++
		}
		if l.op != '-' {
			newN++
		}
	}
	return oldStart + 1, newStart + 1, oldN, newN
}

func splitLines(b []byte) []string {
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// diffLines aligns a and b by their longest common subsequence, after trimming the
// common prefix and suffix (usually all but a few lines of a kubeconfig).
func diffLines(a, b []string) []diffLine {
	var out []diffLine
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		out = append(out, diffLine{' ', a[p]})
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	ma, mb := a[p:len(a)-s], b[p:len(b)-s]
	out = append(out, lcsDiff(ma, mb)...)
	for _, l := range a[len(a)-s:] {
		out = append(out, diffLine{' ', l})
	}
	return out
}

func lcsDiff(a, b []string) []diffLine {
	var out []diffLine
	if (len(a)+1)*(len(b)+1) > maxDiffCells {
		for _, l := range a {
			out = append(out, diffLine{'-', l})
		}
		for _, l := range b {
			out = append(out, diffLine{'+', l})
		}
		return out
	}
	// n[i][j] is the LCS length of a[i:] and b[j:].
	n := make([][]int, len(a)+1)
	for i := range n {
		n[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				n[i][j] = n[i+1][j+1] + 1
			} else {
				n[i][j] = max(n[i+1][j], n[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, diffLine{' ', a[i]})
			i++
			j++
		case i < len(a) && (j == len(b) || n[i+1][j] >= n[i][j+1]):
			out = append(out, diffLine{'-', a[i]}) // deletions first, as diff -u shows them
			i++
		default:
			out = append(out, diffLine{'+', b[j]})
			j++
		}
	}
	return out
}

// secretKey matches `key: value` lines whose key names a secret.
var secretKey = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(\s*-?\s*["']?[\w.-]*(token|secret|password|key-data|certificate-data)[\w.-]*["']?\s*:\s*)(\S.*)$`)
})

// secretFlag matches an exec argument that names a secret, alone or with =value.
var secretFlag = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(\s*-\s*["']?--[\w-]*(secret|token|password)[\w-]*)(=.*)?$`)
})

// inlineSecretFlag matches a secret flag and its value on one line: `--client-secret=v`,
// or `--client-secret, v` inside a flow list like [get-token, --client-secret, v].
var inlineSecretFlag = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(--[\w-]*(?:secret|token|password)[\w-]*)(=|["']?,\s*["']?)([^,\]\s"']+)`)
})

// redactAll redacts the lines of one file in order, so a flag's value on the next line
// is caught wherever a hunk starts.
func redactAll(lines []string) []string {
	var r redactor
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = r.line(l)
	}
	return out
}

// redactor remembers that the previous line was a secret flag whose value follows.
type redactor struct{ nextIsSecret bool }

func (r *redactor) line(s string) string {
	if r.nextIsSecret {
		r.nextIsSecret = false
		if i := strings.Index(s, "- "); i >= 0 {
			return s[:i+2] + "REDACTED"
		}
	}
	s = inlineSecretFlag().ReplaceAllString(s, "${1}${2}REDACTED")
	if m := secretFlag().FindStringSubmatch(s); m != nil {
		if m[3] != "" {
			return m[1] + "=REDACTED"
		}
		r.nextIsSecret = true
		return s
	}
	if m := secretKey().FindStringSubmatch(s); m != nil {
		return m[1] + "REDACTED"
	}
	return s
}
