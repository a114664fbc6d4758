package helper

import (
	"os/exec"
	"strings"
	"testing"
)

// helper is the brain of every hook request: it must not pull in the YAML
// library (install owns the callers' config formats, and doctor asks
// install what is configured) nor the CLI parser (issue 19).
func TestHelperDepsStaySmall(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-test=false", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed only %d packages", len(deps))
	}
	for _, d := range deps {
		for _, bad := range []string{"go.yaml.in/", "gopkg.in/yaml", "github.com/alecthomas/kong", "github.com/azcred/azcred/install"} {
			if strings.HasPrefix(d, bad) {
				t.Errorf("helper depends on %s", d)
			}
		}
	}
}
