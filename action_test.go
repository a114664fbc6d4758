package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"go.yaml.in/yaml/v3"

	"github.com/azcred/azcred/internal/fakecloud"
)

// fakeRequestToken stands in for ACTIONS_ID_TOKEN_REQUEST_TOKEN.
const fakeRequestToken = "fake-gh-request-token-do-not-use"

// TestActionScripts runs the GitHub Action's shell steps
// (testdata/action/*.txtar) against the fake cloud, with a loopback
// stand-in for the runner's OIDC token endpoint that hands out the fake
// cloud's federated token for the federated service principal.
func TestActionScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/action",
		Setup: func(env *testscript.Env) error {
			if err := setupCloud(env); err != nil {
				return err
			}
			c := env.Values["cloud"].(*fakecloud.Cloud)
			// The OIDC token file is the step's input to --federated-token-file, like
			// setupCloud's federated-token: drop it before the leak check (defers run
			// last-in first-out), which still scans GITHUB_ENV, GITHUB_OUTPUT and stderr.
			env.Defer(func() { os.Remove(filepath.Join(env.WorkDir, "runner-temp", "azcred-oidc-token")) })
			oidc, err := c.Serve("github-oidc", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// GitHub's endpoint: GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=AUD with the request token as a bearer.
				if r.Header.Get("Authorization") != "bearer "+fakeRequestToken {
					http.Error(w, `{"message":"bad request token"}`, http.StatusUnauthorized)
					return
				}
				if r.URL.Query().Get("audience") != "api://AzureADTokenExchange" {
					http.Error(w, `{"message":"unexpected audience"}`, http.StatusBadRequest)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(map[string]any{"count": 1, "value": c.FederatedToken(spFedClientID)})
			}))
			if err != nil {
				return err
			}
			script, err := filepath.Abs("scripts/action-login.sh")
			if err != nil {
				return err
			}
			env.Setenv("ACTION_LOGIN", script)
			env.Setenv("FAKE_OIDC_URL", oidc.URL+"/token?api-version=2.0")
			env.Setenv("FAKE_OIDC_REQUEST_TOKEN", fakeRequestToken)
			return nil
		},
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"fake": fakeCmd},
		RequireExplicitExec: true,
	})
}

// action.yml passes each input the scripts read, and runs scripts that exist.
func TestActionYAMLWiring(t *testing.T) {
	data, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Runs struct {
			Using string
			Steps []struct {
				Run string
				Env map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatal(err)
	}
	if action.Runs.Using != "composite" || len(action.Runs.Steps) != 2 {
		t.Fatalf("runs: %+v", action.Runs)
	}
	scriptRe := regexp.MustCompile(`\$GITHUB_ACTION_PATH/(scripts/[a-z-]+\.sh)`)
	inputRe := regexp.MustCompile(`\bINPUT_[A-Z_]+|\bAZCRED_VERSION\b`)
	for _, step := range action.Runs.Steps {
		m := scriptRe.FindStringSubmatch(step.Run)
		if m == nil {
			t.Fatalf("step runs %q, not a script under scripts/", step.Run)
		}
		src, err := os.ReadFile(m[1])
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range inputRe.FindAllString(string(src), -1) {
			if _, ok := step.Env[name]; !ok {
				t.Errorf("%s reads %s but action.yml does not pass it (passes %v)", m[1], name, slices.Sorted(mapsKeys(step.Env)))
			}
		}
	}
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
