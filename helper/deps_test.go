package helper

import (
	"testing"

	"github.com/azcred/azcred/internal/depcheck"
)

// helper is the brain of every hook request: it must not pull in the YAML
// library (install owns the callers' config formats, and doctor asks
// install what is configured) nor the CLI parser (issue 19).
func TestHelperDepsStaySmall(t *testing.T) {
	depcheck.ForbidDeps(t, "go.yaml.in/", "gopkg.in/yaml", "github.com/alecthomas/kong", "github.com/azcred/azcred/install")
}
