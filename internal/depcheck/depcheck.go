// Package depcheck keeps packages from linking what the warm path must not pay for.
package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

// ForbidDeps fails t when the package in the current directory links any
// package whose import path starts with one of forbidden (`go list -deps`,
// non-test). It keeps a package from becoming the reason the warm path
// pays for a dependency's initialisation.
func ForbidDeps(t *testing.T, forbidden ...string) {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-test=false", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed only %d packages", len(deps))
	}
	for _, d := range deps {
		for _, bad := range forbidden {
			if strings.HasPrefix(d, bad) {
				t.Errorf("this package depends on %s", d)
			}
		}
	}
}
