package main

// The fast path: git, kubectl and docker run azcred on every request, so
// their commands (and `token`) are parsed by a kong grammar of that one
// command instead of the whole CLI's, which costs a fraction of the time.
// It is kong all the same (flags, enums, defaults, xor); on any error
// (help, an unknown flag, a bad value) the whole grammar parses argv again
// and reports, so both paths accept exactly the same command lines.

import (
	"io"

	"github.com/alecthomas/kong"
)

// fastCommand returns the command argv runs, parsed, when argv can take the fast path.
func fastCommand(argv []string) (cmd interface{ Run(*app) error }, debug bool, ok bool) {
	if len(argv) == 0 {
		return nil, false, false
	}
	var grammar any
	var dbg *bool
	switch argv[0] {
	case "git":
		g := &struct {
			Debug bool
			Git   GitCmd `cmd:""`
		}{}
		grammar, cmd, dbg = g, &g.Git, &g.Debug
	case "kube":
		g := &struct {
			Debug bool
			Kube  KubeCmd `cmd:""`
		}{}
		grammar, cmd, dbg = g, &g.Kube, &g.Debug
	case "docker":
		g := &struct {
			Debug  bool
			Docker DockerCmd `cmd:""`
		}{}
		grammar, cmd, dbg = g, &g.Docker, &g.Debug
	case "token":
		g := &struct {
			Debug bool
			Token TokenCmd `cmd:""`
		}{}
		grammar, cmd, dbg = g, &g.Token, &g.Debug
	case "keyring":
		g := &struct {
			Debug   bool
			Keyring KeyringCmd `cmd:"" passthrough:""`
		}{}
		grammar, cmd, dbg = g, &g.Keyring, &g.Debug
	default:
		return nil, false, false
	}
	// No help flag and silent writers: help is the whole grammar's job.
	parser, err := kong.New(grammar, kong.Name("azcred"), kong.Writers(io.Discard, io.Discard), kong.NoDefaultHelp())
	if err != nil {
		return nil, false, false
	}
	if _, err := parser.Parse(argv); err != nil {
		return nil, false, false
	}
	return cmd, *dbg, true
}
