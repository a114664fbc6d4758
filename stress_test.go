package main

// Whole-process hardening tests: many azcred processes at once, a
// cross-process single-flight refresh, and SIGKILL at random moments.
// They build the real binary (CGO_ENABLED=0) and run it against the fake
// cloud; every loop is bounded in count and time.

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azcred/azcred/internal/harness"
	"github.com/azcred/azcred/store"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
	buildDir  string
)

// newHarness builds azcred once per test binary and gives each test its
// own fake cloud and store.
func newHarness(t *testing.T) *harness.Env {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "azcred-bin-")
		if buildErr == nil {
			builtBin, buildErr = harness.Build(".", buildDir)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	e, err := harness.Setup(t.TempDir(), builtBin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

// 50 processes at once: warm gets, short-TTL refreshes and store writes.
// No process fails, no write is lost, and the files stay valid.
func TestStress50Processes(t *testing.T) {
	e := newHarness(t)
	e.Cloud.SetTokenLifetime(2 * time.Minute) // < AZCRED_MIN_TTL below: every "refresh" call refreshes
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	start := time.Now()
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var err error
			switch i % 3 {
			case 0:
				_, err = e.Run("", nil, "token", "--output", "raw")
			case 1:
				_, err = e.Run("", []string{"AZCRED_MIN_TTL=5m"}, "token", "--resource", fmt.Sprintf("https://r%d.example", i%5), "--output", "raw")
			case 2:
				_, err = e.Run("", nil, "bind", fmt.Sprintf("https://dev.azure.com/org%02d", i), "sp")
			}
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	t.Logf("50 mixed processes in %s", time.Since(start).Round(time.Millisecond))
	out, err := e.Run("", nil, "bind", "list", "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	// 3 bindings from Setup + 16 from the loop (i%3==2 for i<50).
	if n := strings.Count(out, `"target"`); n != 3+16 {
		t.Errorf("%d bindings after the stress, want 19: a write was lost", n)
	}
	checkStore(t, e)
}

// When many processes need the same expired token at once, one refreshes
// and the others wait for it and read its result: one token request.
func TestSingleFlightRefresh(t *testing.T) {
	e := newHarness(t)
	// Sign in a token that is stale for AZCRED_MIN_TTL=1m but has a 1h
	// successor waiting at the fake.
	e.Cloud.SetTokenLifetime(30 * time.Second)
	if _, err := e.Run("", nil, "token", "--resource", "https://single.example", "--output", "raw"); err != nil {
		t.Fatal(err)
	}
	e.Cloud.SetTokenLifetime(time.Hour)
	e.Cloud.ResetCounts()
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.Run("", []string{"AZCRED_MIN_TTL=1m"}, "token", "--resource", "https://single.example", "--output", "raw"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := e.Cloud.Count("token"); n != 1 {
		t.Errorf("20 concurrent refreshes made %d token requests, want 1", n)
	}
}

// SIGKILL at random moments of writing commands never leaves a broken or
// half-written store, and a dead process's lock never blocks the next one.
func TestKillAtRandomMoments(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL on Windows")
	}
	e := newHarness(t)
	e.Cloud.SetTokenLifetime(2 * time.Minute)
	rng := rand.New(rand.NewSource(1))
	deadline := time.Now().Add(60 * time.Second)
	kinds := [][]string{
		{"bind", "https://dev.azure.com/kill%d", "sp"},
		{"token", "--resource", "https://kill%d.example", "--output", "raw"},
		{"context", "import", filepath.Join("testdata", "import", "AzureRmContext.json")},
		{"environment", "add", "K%d", "--authority", "https://login.k.example/", "--resource-manager", "https://rm.k.example/"},
	}
	killed := 0
	for i := 0; i < 40 && time.Now().Before(deadline); i++ {
		args := append([]string{}, kinds[i%len(kinds)]...)
		for j := range args {
			if strings.Contains(args[j], "%d") {
				args[j] = fmt.Sprintf(args[j], i)
			}
		}
		if args[0] == "context" {
			abs, _ := filepath.Abs(args[2])
			args[2] = abs
		}
		cmd := exec.Command(e.Azcred, args...)
		cmd.Env = append(append([]string{}, e.Vars...), "AZCRED_MIN_TTL=5m")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Intn(25000)) * time.Microsecond)
		if cmd.Process.Kill() == nil {
			killed++
		}
		cmd.Wait()
		checkStore(t, e)
		// The next command is not held up by the dead process's lock.
		begin := time.Now()
		if _, err := e.Run("", nil, "bind", fmt.Sprintf("https://dev.azure.com/after%d", i), "sp"); err != nil {
			t.Fatalf("after kill %d: %v", i, err)
		}
		if d := time.Since(begin); d > 5*time.Second {
			t.Fatalf("after kill %d the next write took %s", i, d)
		}
	}
	t.Logf("%d processes killed mid-flight; store valid after each", killed)
	// No temp files are left to pile up beyond the killed writes' own.
	tmp, _ := filepath.Glob(filepath.Join(e.Dir, "config", ".*.tmp-*"))
	if len(tmp) > killed {
		t.Errorf("%d temp files left", len(tmp))
	}
}

// checkStore asserts config.json parses and the vault decrypts.
func checkStore(t *testing.T, e *harness.Env) {
	t.Helper()
	dir := filepath.Join(e.Dir, "config")
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.ParseConfig("config.json", data); err != nil {
		t.Fatalf("config.json broken: %v", err)
	}
	keys, err := store.NewKeyringKeys(dir, func(k string) string {
		if k == "AZCRED_KEYRING_BACKEND" {
			return "file"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(dir, keys).Secrets(); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("vault broken: %v", err)
	}
}
