package store

import (
	"testing"

	"github.com/azcred/azcred/internal/depcheck"
)

// The warm path reads the store on every git, kubectl and docker request:
// store must not pull in the CLI parser, the YAML library or MSAL, whose
// package initialisation every process would otherwise pay for through us
// (issue 18). The binary links them anyway (install, the CLI); this keeps
// store from being a reason to.
func TestStoreDepsStaySmall(t *testing.T) {
	depcheck.ForbidDeps(t, "go.yaml.in/", "gopkg.in/yaml", "github.com/alecthomas/kong", "github.com/AzureAD/")
}
