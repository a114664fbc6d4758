package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/azcred/azcred/internal/fakecloud"
)

// -play names every config path inside the cloud's directory and gives
// each service its bind, install and client command.
func TestWritePlay(t *testing.T) {
	in := fakecloud.Info{Authority: "https://127.0.0.1:1", ARM: "https://127.0.0.1:2", CAFile: "/tmp/fc/ca.pem", Dir: "/tmp/fc",
		Tenant: "t", ClientID: "c", Services: map[string]string{"git": "https://127.0.0.1:3", "acr-x": "https://127.0.0.1:4", "kube-k": "https://127.0.0.1:5"}}
	var b bytes.Buffer
	writePlay(&b, in, "it's-secret", []string{"o/p/r"}, "hello:v1")
	out := b.String()
	for _, want := range []string{
		"export AZCRED_CONFIG_DIR='/tmp/fc/azcred' AZCRED_KEYRING_BACKEND=file",
		"GIT_CONFIG_GLOBAL='/tmp/fc/gitconfig' DOCKER_CONFIG='/tmp/fc/docker' KUBECONFIG='/tmp/fc/kubeconfig'",
		"azcred environment add Fake --authority https://127.0.0.1:1/ --resource-manager https://127.0.0.1:2/",
		`printf '%s\n' 'it'\''s-secret' | azcred login --service-principal`,
		"azcred bind https://127.0.0.1:3 fake && azcred install git --url https://127.0.0.1:3",
		"git clone https://127.0.0.1:3/o/p/_git/r",
		"azcred bind 127.0.0.1:4 fake && azcred install docker --registry 127.0.0.1:4",
		"crane manifest 127.0.0.1:4/hello:v1",
		"azcred aks list && azcred aks get-credentials -g rg-fakecloud -n k && kubectl get namespaces",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
