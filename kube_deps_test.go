package main

// The shipped binary must stay small: the kube protocol uses our own
// structs, never client-go or apimachinery (kubelogin is 50-70 MB because
// of them), and test-only code (the fake cloud, testscript) must not leak
// into it. `go list -deps -test=false .` is exactly what gets linked into
// azcred, so checking it is as good as `go version -m` on a fresh build,
// and much faster.

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// forbiddenDep is a package or module that must not be linked into azcred.
type forbiddenDep struct {
	prefix string // import path or module path prefix
	why    string
}

var forbiddenDeps = []forbiddenDep{
	{"k8s.io/", "client-go and apimachinery: the kube protocol has its own structs"},
	{"sigs.k8s.io/", "Kubernetes SIG libraries come with client-go"},
	{"github.com/azcred/azcred/internal/fakecloud", "the fake cloud is for tests only"},
	{"github.com/rogpeppe/go-internal", "testscript is for tests only"},
}

// depLine is one line of `go list -f '{{.ImportPath}} {{.Module.Path}}'`.
type depLine struct{ pkg, module string }

// findForbidden returns "package (module): why" for each dependency that
// matches a forbidden prefix by import path or module path.
func findForbidden(deps []depLine) []string {
	var bad []string
	for _, d := range deps {
		for _, f := range forbiddenDeps {
			if strings.HasPrefix(d.pkg, f.prefix) || strings.HasPrefix(d.module, f.prefix) {
				bad = append(bad, d.pkg+" ("+d.module+"): "+f.why)
			}
		}
	}
	return bad
}

func TestFindForbidden(t *testing.T) {
	tests := []struct {
		name string
		deps []depLine
		want int
	}{
		{"stdlib and ours are fine", []depLine{{"net/http", ""}, {"github.com/azcred/azcred/protocols", "github.com/azcred/azcred"}}, 0},
		{"client-go by module", []depLine{{"k8s.io/client-go/tools/clientcmd", "k8s.io/client-go"}}, 1},
		{"apimachinery", []depLine{{"k8s.io/apimachinery/pkg/apis/meta/v1", "k8s.io/apimachinery"}}, 1},
		{"sigs yaml", []depLine{{"sigs.k8s.io/yaml", "sigs.k8s.io/yaml"}}, 1},
		{"the fake cloud", []depLine{{"github.com/azcred/azcred/internal/fakecloud", "github.com/azcred/azcred"}}, 1},
		{"testscript", []depLine{{"github.com/rogpeppe/go-internal/testscript", "github.com/rogpeppe/go-internal"}}, 1},
		{"a look-alike is fine", []depLine{{"example.com/k8s.io/x", "example.com/k8s.io"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := findForbidden(tt.deps); len(got) != tt.want {
				t.Errorf("findForbidden(%v) = %q, want %d finding(s)", tt.deps, got, tt.want)
			}
		})
	}
}

// TestBinaryHasNoKubernetesDeps lists what is linked into azcred.
func TestBinaryHasNoKubernetesDeps(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list azcred's dependencies: %v", err)
	}
	out, err := exec.Command(goCmd, "list", "-deps", "-test=false",
		"-f", "{{.ImportPath}} {{if .Module}}{{.Module.Path}}{{end}}", ".").Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list -deps: %v\n%s", err, msg)
	}
	var deps []depLine
	var pkgs []string
	for line := range strings.Lines(string(out)) {
		pkg, module, _ := strings.Cut(strings.TrimSpace(line), " ")
		deps = append(deps, depLine{pkg, module})
		pkgs = append(pkgs, pkg)
	}
	// Guard against an empty or wrong listing passing silently.
	for _, want := range []string{"github.com/azcred/azcred", "github.com/azcred/azcred/protocols"} {
		if !slices.Contains(pkgs, want) {
			t.Fatalf("go list -deps . does not list %s; got %d packages", want, len(pkgs))
		}
	}
	for _, b := range findForbidden(deps) {
		t.Errorf("azcred links %s", b)
	}
}
