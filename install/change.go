// Package install writes the configuration that makes git, kubectl and docker call azcred.
//
// Every function here edits a file that belongs to the user, so it follows three rules:
// it changes only what azcred owns, it never leaves a half-written file (see atomic.go),
// and it reports each change as a [Change] so the CLI can tell the user what happened.
// An empty list of changes means the configuration was already as asked.
// Nothing here writes to stdout or reads stdin.
package install

import (
	"fmt"
	"strconv"
	"strings"
)

// Change is one edit to one key of one configuration file. Old is empty when the key
// was added, New is empty when it was removed.
type Change struct {
	File string // the file that was (or, in a dry run, would be) edited
	Key  string // the key in that file's own notation, e.g. credential.https://dev.azure.com.helper
	Old  string // the value before, human-readable; "" when absent
	New  string // the value after, human-readable; "" when removed
}

// String renders the change for a human, e.g.
// `/home/me/.gitconfig: credential.https://dev.azure.com.useHttpPath: set to "true"`.
func (c Change) String() string {
	var what string
	switch {
	case c.Old == "" && c.New == "":
		what = "unchanged"
	case c.Old == "":
		what = "set to " + c.New
	case c.New == "":
		what = "removed (was " + c.Old + ")"
	default:
		what = "changed from " + c.Old + " to " + c.New
	}
	if c.File == "" {
		return fmt.Sprintf("%s: %s", c.Key, what)
	}
	return fmt.Sprintf("%s: %s: %s", c.File, c.Key, what)
}

// quoteList renders the values of a multi-valued key so that an empty value stays visible.
func quoteList(values []string) string {
	if len(values) == 0 {
		return ""
	}
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}
