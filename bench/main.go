// Command bench measures azcred's warm (cache-hit) calls as whole
// processes, next to a hello-world Go binary measured in the same run:
// wall time, peak RSS, and 50 parallel calls; the same warm calls
// against a store that also holds -size contexts, bindings and cached
// tokens, to show a warm call's cost does not grow with the store; and
// `azcred token` on each other keyring set-up (keyrings.go). It asserts
// that warm calls make no request at the fake cloud. The results go to
// stdout, and to the file named by -out only when one is given, so a trial
// run never overwrites the tracked bench/results.md.
//
//	go run ./bench [-n 100] [-size 1000] [-out bench/results.md]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/azcred/azcred/internal/harness"
)

func main() {
	n := flag.Int("n", 100, "runs per command")
	size := flag.Int("size", 1000, "contexts, bindings and cached tokens in the big store")
	out := flag.String("out", "", "also write the results to this file")
	flag.Parse()
	if err := run(*n, *size, *out, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type result struct {
	name           string
	min, p50, mean time.Duration
	maxRSSKiB      int64
	ratio          float64
	// vsSmall is the median against the same call on the small store.
	vsSmall float64
}

func run(n, size int, outPath string, w io.Writer) error {
	dir, err := os.MkdirTemp("", "azcred-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "bin")
	os.MkdirAll(bin, 0o700)
	azcred, err := harness.Build(".", bin)
	if err != nil {
		return err
	}
	hello := filepath.Join(bin, "hello")
	os.WriteFile(filepath.Join(dir, "hello.go"), []byte("package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"hello\\n\") }\n"), 0o600)
	cmd := exec.Command("go", append(append([]string{"build"}, harness.BuildFlags...), "-o", hello, filepath.Join(dir, "hello.go"))...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build hello: %v %s", err, b)
	}
	e, err := harness.Setup(filepath.Join(dir, "env"), azcred)
	if err != nil {
		return err
	}
	defer e.Close()
	calls := e.WarmCalls()
	for _, c := range calls { // warm every cache once
		if _, err := e.RunAs(c.Bin, c.Stdin, c.Env, c.Args...); err != nil {
			return err
		}
	}
	bigEnv, err := e.BigStore(filepath.Join(dir, "big"), size)
	if err != nil {
		return err
	}
	small := len(calls)
	for _, c := range calls[:small] {
		c.Name += fmt.Sprintf(" (%d-item store)", size)
		c.Env = append(append([]string{}, c.Env...), bigEnv...)
		if _, err := e.RunAs(c.Bin, c.Stdin, c.Env, c.Args...); err != nil {
			return err
		}
		calls = append(calls, c)
	}
	kcalls, notes, closeKeyrings, err := keyringCalls(e, filepath.Join(dir, "keyrings"))
	defer closeKeyrings()
	if err != nil {
		return err
	}
	for _, c := range kcalls { // warm every keyring's cache once
		if _, err := e.RunAs(c.Bin, c.Stdin, c.Env, c.Args...); err != nil {
			return err
		}
	}
	calls = append(calls, kcalls...)
	e.Cloud.ResetCounts()

	// Interleave: one run of every command per round, so that whatever else
	// the machine does falls on all of them alike.
	cmds := append([]harness.Warm{{Name: "hello-world Go binary", Bin: hello}}, calls...)
	times := make([][]time.Duration, len(cmds))
	for i := 0; i < n; i++ {
		for j, c := range cmds {
			d, err := once(c, e)
			if err != nil {
				return fmt.Errorf("%s: %v", c.Name, err)
			}
			times[j] = append(times[j], d)
		}
	}
	var results []result
	for j, c := range cmds {
		r, err := summarize(c, times[j], e)
		if err != nil {
			return err
		}
		if j > 0 {
			r.ratio = float64(r.p50) / float64(results[0].p50)
		}
		if j > small && j <= 2*small { // the big store's copies of the small store's calls
			r.vsSmall = float64(r.p50) / float64(results[j-small].p50)
		}
		results = append(results, r)
	}
	for _, svc := range []string{"token", "openid", "discovery", "acr-exchange", "msi"} {
		if c := e.Cloud.Count(svc); c != 0 {
			return fmt.Errorf("warm calls made %d %q requests; a cache hit must make none", c, svc)
		}
	}
	par, err := parallel(e, calls[0], 50)
	if err != nil {
		return err
	}
	inits, err := initTrace(e, calls[0], 30)
	if err != nil {
		return err
	}

	var b strings.Builder
	fmt.Fprintf(&b, "# azcred benchmark results\n\n")
	fmt.Fprintf(&b, "Measured %s by `go run ./bench` (%d interleaved runs each, %s/%s, %d CPUs). Warm calls made 0 requests at the fake cloud.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), n, runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Fprintf(&b, "| command | min | median | mean | peak RSS | median vs hello-world | median vs small store |\n|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		ratio, vs := "1.00x", ""
		if r.ratio > 0 {
			ratio = fmt.Sprintf("%.2fx", r.ratio)
		}
		if r.vsSmall > 0 {
			vs = fmt.Sprintf("%.2fx", r.vsSmall)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %.1f MB | %s | %s |\n", r.name, ms(r.min), ms(r.p50), ms(r.mean), float64(r.maxRSSKiB)/1024, ratio, vs)
	}
	for _, note := range notes {
		fmt.Fprintf(&b, "\n%s\n", note)
	}
	fmt.Fprintf(&b, "\nKeyring target (issue 12): a warm call within 2.0x of hello-world on every keyring set-up; the \"no session cache\" rows show what the cache saves.\n")
	fmt.Fprintf(&b, "\n50 parallel warm `azcred token` processes: all done in %s.\n", ms(par))
	fmt.Fprintf(&b, "\nPackage initialisation of a warm `azcred token` (GODEBUG=inittrace=1, median of 30 runs): %s in total; the largest:\n\n", ms(inits.total))
	fmt.Fprintf(&b, "| package | init |\n|---|---|\n")
	for _, p := range inits.top {
		fmt.Fprintf(&b, "| %s | %s |\n", p.name, ms(p.d))
	}
	fmt.Fprintf(&b, "\nThe big store holds %d more user contexts, %d more bindings and %d more cached access tokens than the small one.\n", size, size, size)
	fmt.Fprintf(&b, "\nTargets: each warm call within 2.5x of hello-world (issue: hardening), peak RSS under 25 MB, 50 parallel calls under 2 s; on the big store within 1.2x of the small one (issue 18).\n")
	fmt.Fprint(w, b.String())
	if outPath == "" {
		return nil
	}
	return os.WriteFile(outPath, []byte(b.String()), 0o644)
}

// once runs c and returns its wall time.
func once(c harness.Warm, e *harness.Env) (time.Duration, error) {
	cmd := exec.Command(c.Bin, c.Args...)
	cmd.Env = append(append([]string{}, e.Vars...), c.Env...)
	cmd.Stdin = strings.NewReader(c.Stdin)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	t := time.Now()
	err := cmd.Run()
	return time.Since(t), err
}

// summarize turns run times into a result, with peak RSS from 5 more runs.
func summarize(c harness.Warm, ds []time.Duration, e *harness.Env) (result, error) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	// Peak RSS through GNU time: ru_maxrss of our own child would include
	// the pre-exec copy of this (large) process.
	var maxRSS int64
	for i := 0; i < 5; i++ {
		rss, err := peakRSS(c, e)
		if err != nil {
			return result{}, fmt.Errorf("%s: %v", c.Name, err)
		}
		maxRSS = max(maxRSS, rss)
	}
	return result{name: c.Name, min: ds[0], p50: ds[len(ds)/2], mean: sum / time.Duration(len(ds)), maxRSSKiB: maxRSS}, nil
}

// peakRSS runs c once under /usr/bin/time and returns its peak RSS in KiB.
func peakRSS(c harness.Warm, e *harness.Env) (int64, error) {
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		return 0, nil
	}
	f, err := os.CreateTemp("", "rss-")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	f.Close()
	cmd := exec.Command("/usr/bin/time", append([]string{"-o", f.Name(), "-f", "%M", c.Bin}, c.Args...)...)
	cmd.Env = append(append([]string{}, e.Vars...), c.Env...)
	cmd.Stdin = strings.NewReader(c.Stdin)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Run(); err != nil {
		return 0, err
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		return 0, err
	}
	var kib int64
	fmt.Sscan(strings.TrimSpace(string(b)), &kib)
	return kib, nil
}

func parallel(e *harness.Env, c harness.Warm, n int) (time.Duration, error) {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	t := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.RunAs(c.Bin, c.Stdin, c.Env, c.Args...)
			errs <- err
		}()
	}
	wg.Wait()
	d := time.Since(t)
	close(errs)
	for err := range errs {
		if err != nil {
			return 0, err
		}
	}
	return d, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

type initReport struct {
	total time.Duration
	top   []initPkg
}

type initPkg struct {
	name string
	d    time.Duration
}

// initTrace runs c n times with GODEBUG=inittrace=1 and returns the
// median total of package init clock time and the slowest packages
// (their medians).
func initTrace(e *harness.Env, c harness.Warm, n int) (initReport, error) {
	var totals []time.Duration
	per := map[string][]time.Duration{}
	for i := 0; i < n; i++ {
		cmd := exec.Command(c.Bin, c.Args...)
		cmd.Env = append(append(append([]string{}, e.Vars...), c.Env...), "GODEBUG=inittrace=1")
		cmd.Stdin = strings.NewReader(c.Stdin)
		var errb strings.Builder
		cmd.Stdout, cmd.Stderr = io.Discard, &errb
		if err := cmd.Run(); err != nil {
			return initReport{}, fmt.Errorf("inittrace: %v", err)
		}
		var total time.Duration
		for _, line := range strings.Split(errb.String(), "\n") {
			// init PKG @0.010 ms, 0.005 ms clock, 0 bytes, 0 allocs
			var pkg string
			var at, clock float64
			if _, err := fmt.Sscanf(line, "init %s @%f ms, %f ms clock", &pkg, &at, &clock); err != nil {
				continue
			}
			d := time.Duration(clock * float64(time.Millisecond))
			total += d
			per[pkg] = append(per[pkg], d)
		}
		totals = append(totals, total)
	}
	r := initReport{total: median(totals)}
	for pkg, ds := range per {
		r.top = append(r.top, initPkg{pkg, median(ds)})
	}
	sort.Slice(r.top, func(i, j int) bool { return r.top[i].d > r.top[j].d })
	if len(r.top) > 8 {
		r.top = r.top[:8]
	}
	return r, nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration{}, ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
