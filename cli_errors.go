package main

// Command-line mistakes in azcred's own words. kong's messages speak of
// its parser ("expected string value but got "EOL" (<EOL>)"); these say
// what is missing and point at the help of the command that was meant.

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/alecthomas/kong"

	"github.com/azcred/azcred/helper"
)

// helpArgs turns `azcred` and `azcred help [CMD...]` into kong's --help.
func helpArgs(argv []string) []string {
	switch {
	case len(argv) == 0:
		return []string{"--help"}
	case argv[0] == "help":
		return append(append([]string{}, argv[1:]...), "--help")
	}
	return argv
}

// parseWordings are compiled on first use, not at start-up: every git,
// kubectl and docker call would pay for them otherwise.
var parseWordings = sync.OnceValue(func() []parseWording {
	return []parseWording{
		{regexp.MustCompile(`^(-[-\w]+): expected \w+ value but got "EOL" \(<EOL>\)$`), `$1 needs a value`},
		{regexp.MustCompile(`^(-[-\w]+): expected (\w+) value but got "(.*)" \(.*\)$`), `$1 needs a $2 value, not "$3"`},
		{regexp.MustCompile(`^(-[-\w]+) must be one of (.*) but got (".*")$`), `$1 must be one of $2, not $3`},
		{regexp.MustCompile(`^expected one of (.*)$`), `which command? one of $1`},
		{regexp.MustCompile(`^expected "(.*)"$`), `missing argument(s): $1`},
		{regexp.MustCompile(`^unexpected argument (.*)$`), `unknown command or extra argument "$1"`},
		{regexp.MustCompile(`^(.*) can't be used together$`), `$1 cannot be used together: choose one`},
	}
})

type parseWording struct {
	re   *regexp.Regexp
	with string
}

// parseFailure rewords a kong parse error and names the help to read.
func parseFailure(err error) (msg, hint string) {
	msg = helper.FirstLine(err.Error())
	for _, w := range parseWordings() {
		if w.re.MatchString(msg) {
			msg = w.re.ReplaceAllString(msg, w.with)
			break
		}
	}
	cmd := "azcred"
	var pe *kong.ParseError
	if errors.As(err, &pe) && pe.Context != nil {
		var words []string
		for _, p := range pe.Context.Path {
			if p.Command != nil {
				words = append(words, p.Command.Name)
			}
		}
		if len(words) > 0 {
			cmd += " " + strings.Join(words, " ")
		}
	}
	return msg, fmt.Sprintf("run '%s --help'", cmd)
}
