package store

import (
	"os/exec"
	"strings"
	"testing"
)

// The warm path reads the store on every git, kubectl and docker request:
// store must not pull in the CLI parser or the YAML library, whose package
// initialisation every process would otherwise pay for through us (issue
// 18). The binary links them anyway (install, the CLI); this keeps store
// from being a reason to.
func TestStoreDepsStaySmall(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-test=false", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed only %d packages", len(deps))
	}
	for _, d := range deps {
		for _, bad := range []string{"go.yaml.in/", "gopkg.in/yaml", "github.com/alecthomas/kong", "github.com/AzureAD/"} {
			if strings.HasPrefix(d, bad) {
				t.Errorf("store depends on %s", d)
			}
		}
	}
}
