// Command azcred keeps saved Azure contexts and answers the credential
// hooks of git, kubectl and docker with Microsoft Entra ID tokens.
//
// Only this file touches os.Stdin, os.Stdout and os.Stderr: everything
// below run takes the streams it is given, so every command is testable
// in-process. In protocol mode (git, kube, docker) stdout carries only the
// protocol reply; help, hints and debug output go to stderr.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/azcred/azcred/helper"
	"github.com/azcred/azcred/store"
)

func main() {
	disableCoreDumps()
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// kongExit carries kong's exit (after --help) out of the parser.
type kongExit int

// run is the whole program: args[0] picks the personality.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) (code int) {
	argv := dispatch(args)
	protocolMode := len(argv) != len(args)-1 // invoked as git-credential-azcred or docker-credential-azcred
	a := newApp(stdin, stdout, stderr, getenv)
	defer func() {
		if r := recover(); r != nil {
			if k, ok := r.(kongExit); ok {
				code = int(k)
				return
			}
			// A panic is a bug; it must still be one line with no secret in it.
			fmt.Fprintf(stderr, "azcred: error: internal error: %s\n", helper.FirstLine(fmt.Sprint(r)))
			if a.debug {
				fmt.Fprintf(stderr, "%s\n", debug.Stack())
			}
			code = 1
		}
	}()
	// keyring passes its arguments through, --help included: its help is
	// the whole grammar's (on stderr in protocol mode).
	helpKeyring := keyringHelp(argv)
	if cmd, dbg, ok := fastCommand(argv); ok && !helpKeyring {
		a.debug = dbg || helper.DebugFromEnv(getenv)
		a.call.Views = true
		return report(stderr, cmd.Run(a))
	}
	var cli CLI
	helpOut := stdout
	if protocolMode {
		helpOut = stderr
	}
	parser, err := newParser(&cli, a, helpOut)
	if err != nil {
		fmt.Fprintf(stderr, "azcred: error: %v\n", err)
		return 1
	}
	if !protocolMode {
		argv = helpArgs(argv)
	}
	if helpKeyring || keyringHelp(argv) {
		kctx, err := parser.Parse(argv[:1])
		if err == nil {
			err = kctx.PrintUsage(false)
		}
		return report(stderr, err)
	}
	kctx, err := parser.Parse(argv)
	if err != nil {
		msg, hint := parseFailure(err)
		fmt.Fprintf(stderr, "azcred: error: %s\n", msg)
		fmt.Fprintf(stderr, "azcred: hint: %s\n", hint)
		return 2
	}
	a.debug = cli.Debug || helper.DebugFromEnv(getenv)
	err = kctx.Run(a)
	return report(stderr, err)
}

// keyringHelp reports `keyring --help` (or -h), which the keyring command
// would otherwise take as one of the arguments it passes through.
func keyringHelp(argv []string) bool {
	return len(argv) == 2 && argv[0] == "keyring" && (argv[1] == "--help" || argv[1] == "-h")
}

// newParser builds kong's parser for the whole CLI.
func newParser(cli *CLI, a *app, helpOut io.Writer) (*kong.Kong, error) {
	if helpOut == nil {
		helpOut = io.Discard
	}
	return kong.New(cli,
		kong.Name("azcred"),
		kong.Description("Saved Azure contexts and Entra ID tokens for git, kubectl, docker and scripts."),
		kong.Writers(helpOut, io.Discard),
		kong.Exit(func(c int) { panic(kongExit(c)) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true, NoExpandSubcommands: true}),
		kong.Bind(a),
		kong.Vars{"version": version()},
	)
}

// report prints err the house way and returns the exit status.
func report(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	var ec helper.ExitStatus
	if errors.As(err, &ec) {
		return int(ec)
	}
	if errors.Is(err, store.ErrNotSaved) {
		fmt.Fprintf(stderr, "azcred: autosave is off: nothing was saved\n")
		return 0
	}
	fmt.Fprintf(stderr, "azcred: error: %s\n", helper.FirstLine(err.Error()))
	if h := helper.Hint(err); h != "" {
		fmt.Fprintf(stderr, "azcred: hint: %s\n", h)
	}
	return 1
}

// dispatch maps the binary's name to a subcommand: git-credential-azcred
// is `azcred git`, docker-credential-azcred is `azcred docker`, keyring is
// `azcred keyring`, with or without .exe, as git, docker, pip and uv look
// helpers up by those names.
func dispatch(args []string) []string {
	if len(args) == 0 {
		return nil
	}
	// Both separators on every OS: git for Windows may hand us either.
	name := strings.ToLower(args[0][strings.LastIndexAny(args[0], `/\`)+1:])
	name = strings.TrimSuffix(name, ".exe")
	switch name {
	case "git-credential-azcred":
		return append([]string{"git"}, args[1:]...)
	case "docker-credential-azcred":
		return append([]string{"docker"}, args[1:]...)
	case "keyring":
		// pip and uv run `keyring get URL USER` from PATH; azcred install
		// pip links this name in a directory of azcred's own.
		return append([]string{"keyring"}, args[1:]...)
	}
	if len(args) == 2 && args[1] == "--cargo-plugin" {
		// cargo runs a credential provider as `PROGRAM --cargo-plugin` and
		// passes the rest of its setting ("azcred cargo") in the requests
		// (https://doc.rust-lang.org/cargo/reference/credential-provider-protocol.html).
		return []string{"cargo", "--cargo-plugin"}
	}
	return args[1:]
}
