package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
)

// narrator writes the demo's story: "==> " for a step, "$ " for the command a user would
// type, and the tools' own output indented under it. It never sees a secret: the secret
// only ever goes to a child's stdin.
type narrator struct {
	mu sync.Mutex
	w  io.Writer
}

func (n *narrator) step(format string, args ...any) {
	n.printf("\n==> "+format+"\n", args...)
}

func (n *narrator) say(format string, args ...any) {
	n.printf("==> "+format+"\n", args...)
}

func (n *narrator) note(format string, args ...any) {
	n.printf("    "+format+"\n", args...)
}

func (n *narrator) command(args []string, stdinNote string) {
	line := "$ " + shellJoin(args)
	if stdinNote != "" {
		line += "    # " + stdinNote
	}
	n.printf("%s\n", line)
}

func (n *narrator) fail(err error) {
	n.printf("demo: error: %v\n", err)
}

func (n *narrator) printf(format string, args ...any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	fmt.Fprintf(n.w, format, args...)
}

// output returns a writer that indents what a tool prints, line by line, as it arrives
// (so a slow step shows progress), and keeps a copy for the step to check.
func (n *narrator) output(keep *bytes.Buffer) *indenter {
	return &indenter{n: n, keep: keep}
}

type indenter struct {
	n       *narrator
	keep    *bytes.Buffer
	partial []byte
}

func (i *indenter) Write(p []byte) (int, error) {
	i.keep.Write(p)
	i.partial = append(i.partial, p...)
	for {
		line, rest, ok := bytes.Cut(i.partial, []byte("\n"))
		if !ok {
			break
		}
		i.n.printf("    %s\n", line)
		i.partial = rest
	}
	return len(p), nil
}

// flush prints a last line that had no newline.
func (i *indenter) flush() {
	if len(i.partial) > 0 {
		i.n.printf("    %s\n", i.partial)
		i.partial = nil
	}
}

// shellJoin quotes args the way a POSIX shell would need them, for display only.
func shellJoin(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
			quoted[i] = a
			continue
		}
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}
