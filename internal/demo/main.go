// Command demo shows azcred working end to end without an Azure account: it starts the
// loopback fake cloud (internal/fakecloud) in this process, signs a service principal in
// to it in a throwaway store, and runs real git, kubectl and crane through azcred,
// narrating each step on stderr.
//
//	go run ./internal/demo          # uses the azcred on PATH (CGO_ENABLED=0 go install .)
//	go run ./internal/demo -build   # builds azcred from this checkout into the temp dir
//
// Rules it keeps: nothing leaves 127.0.0.1; the user's own configuration (git, kube,
// docker, azcred store, keyring) is never read or written, since every tool gets a
// temporary HOME and config paths; no token or secret is ever printed (the secret reaches
// azcred on stdin, and token-carrying output is never shown); everything it made is
// removed on the way out, on failure and on Ctrl-C too.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := 2
	if opts, ok := parseFlags(os.Args[1:], os.Stderr); ok {
		code = run(ctx, os.Stderr, opts)
	}
	stop()
	os.Exit(code)
}

// options configure one run; the zero value is what `go run ./internal/demo` does.
type options struct {
	// azcred is the binary to run; empty: azcred on PATH, else built into the temp dir.
	azcred string
	// build builds azcred from the module even when one is on PATH.
	build bool
	// tempParent is where the throwaway directory goes (default os.TempDir).
	tempParent string
	// timeout bounds the whole demo.
	timeout time.Duration
	// prepare, when set, runs once the fake cloud is seeded (tests inject faults with it).
	prepare func(w *world)
	// inspect, when set, runs after the steps and before the cloud closes (tests collect
	// the cloud's secrets with it).
	inspect func(w *world)
}

func parseFlags(args []string, stderr io.Writer) (options, bool) {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.BoolVar(&o.build, "build", false, "build azcred from this checkout instead of using the one on PATH")
	fs.StringVar(&o.azcred, "azcred", "", "azcred binary `path` to run (default: azcred on PATH)")
	fs.DurationVar(&o.timeout, "timeout", 3*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return o, false
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: go run ./internal/demo [-build] [-azcred PATH]")
		return o, false
	}
	return o, true
}

// run is the whole demo; it returns the exit code. Only main knows the real streams.
func run(ctx context.Context, stderr io.Writer, o options) int {
	if o.timeout <= 0 {
		o.timeout = 3 * time.Minute
	}
	ctx, cancel := context.WithTimeoutCause(ctx, o.timeout, fmt.Errorf("the demo took longer than %s", o.timeout))
	defer cancel()
	n := &narrator{w: stderr}
	ran, err := demo(ctx, n, o)
	if err != nil {
		n.fail(err)
		return 1
	}
	if len(ran) == 0 {
		n.say("done: no client (git, kubectl, crane) was found, so only azcred's own steps ran; everything the demo made is removed")
		return 0
	}
	n.say("done: %s authenticated through azcred; everything the demo made is removed", strings.Join(ran, ", "))
	return 0
}

// demo sets up the sandbox and the fake cloud, runs the steps and always tears both down.
// It returns the clients that ran.
func demo(ctx context.Context, n *narrator, o options) (ran []string, err error) {
	sb, err := newSandbox(o.tempParent)
	if err != nil {
		return nil, err
	}
	defer func() {
		if rerr := sb.remove(); rerr != nil && err == nil {
			err = rerr
		}
	}()
	sb.findTools(n)
	n.say("starting the loopback fake cloud (Entra ID, Resource Manager, Azure DevOps, AKS, ACR)")
	w, err := startWorld(sb.path("fakecloud"))
	if err != nil {
		return nil, err
	}
	defer func() {
		if o.inspect != nil {
			o.inspect(w)
		}
		w.cloud.Close()
	}()
	if err := sb.prepare(ctx, n, o, w); err != nil {
		return nil, err
	}
	if o.prepare != nil {
		o.prepare(w)
	}
	if err := runSteps(ctx, n, sb, w); err != nil {
		return nil, err
	}
	for _, t := range requiredTools {
		if sb.has(t.name) {
			ran = append(ran, t.name)
		}
	}
	return ran, nil
}
