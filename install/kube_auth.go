package install

// Recognising how a kubeconfig user authenticates today. Only three shapes are ours to
// convert: the legacy `azure` auth-provider that `az aks get-credentials` wrote before
// Kubernetes 1.24, kubelogin's exec plugin, and our own exec plugin. From them we keep
// only the server id and the tenant: everything else (client ids, login modes, client
// secrets, cached access and refresh tokens) is left behind on purpose.

import (
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// AKSServerID is the application id of the AKS AAD server, the audience of tokens for
// clusters with AKS-managed Entra integration.
const AKSServerID = "6dae42f8-4368-4678-94ff-3960e28e3630"

type authKind int

const (
	authNone          authKind = iota // no credentials at all
	authAzureProvider                 // auth-provider: {name: azure}
	authKubelogin                     // exec: kubelogin get-token
	authAzcred                        // exec: azcred kube
	authForeign                       // anything else: another plugin, certificates, tokens
)

// userAuth is what we learnt from one user entry.
type userAuth struct {
	kind     authKind
	serverID string
	tenant   string
	context  string // azcred --context pinned in an existing azcred block
	what     string // human description; never includes argument values (they may be secrets)
}

// credentialKeys are the user fields that carry credentials other than exec/auth-provider
// (https://kubernetes.io/docs/reference/config-api/kubeconfig.v1/#AuthInfo).
var credentialKeys = []string{"client-certificate", "client-certificate-data", "token", "tokenFile", "username", "password"}

// classify reads the user mapping (the value of users[].user; nil when absent).
func classify(user *yaml.Node, azcredCommand string) userAuth {
	if ap := lookup(user, "auth-provider"); !isNull(ap) {
		name := scalar(ap, "name")
		if name != "azure" {
			return userAuth{kind: authForeign, what: "auth-provider " + quote(name)}
		}
		cfg := lookup(ap, "config")
		return userAuth{
			kind:     authAzureProvider,
			serverID: scalar(cfg, "apiserver-id"),
			tenant:   scalar(cfg, "tenant-id"),
			what:     `auth-provider "azure"`,
		}
	}
	if ex := lookup(user, "exec"); !isNull(ex) {
		return classifyExec(ex, azcredCommand)
	}
	for _, k := range credentialKeys {
		if !isNull(lookup(user, k)) {
			return userAuth{kind: authForeign, what: k}
		}
	}
	return userAuth{kind: authNone, what: "no credentials"}
}

func classifyExec(ex *yaml.Node, azcredCommand string) userAuth {
	command := scalar(ex, "command")
	var args []string
	if a := lookup(ex, "args"); a != nil && a.Kind == yaml.SequenceNode {
		for _, n := range a.Content {
			args = append(args, n.Value)
		}
	}
	first := ""
	if len(args) > 0 {
		first = args[0]
	}
	switch name := programName(command); {
	case name == "kubelogin" && first == "get-token":
		return userAuth{
			kind:     authKubelogin,
			serverID: flagValue(args, "--server-id"),
			tenant:   flagValue(args, "--tenant-id", "-t"),
			what:     `exec "kubelogin get-token"`,
		}
	case (name == "azcred" || command == azcredCommand) && first == "kube":
		return userAuth{
			kind:     authAzcred,
			serverID: flagValue(args, "--server-id"),
			tenant:   flagValue(args, "--tenant"),
			context:  flagValue(args, "--context"),
			what:     "exec " + quote(strings.Join(append([]string{command}, args...), " ")),
		}
	}
	return userAuth{kind: authForeign, what: "exec " + quote(command)}
}

// programName is the command's base name without a Windows extension.
func programName(command string) string {
	base := filepath.Base(strings.ReplaceAll(command, `\`, "/"))
	return strings.TrimSuffix(strings.ToLower(base), ".exe")
}

// flagValue finds `--name value` or `--name=value` (the last one wins, as with pflag).
func flagValue(args []string, names ...string) string {
	v := ""
	for i, a := range args {
		for _, n := range names {
			switch {
			case a == n && i+1 < len(args):
				v = args[i+1]
			case strings.HasPrefix(a, n+"="):
				v = strings.TrimPrefix(a, n+"=")
			}
		}
	}
	return v
}

func quote(s string) string { return strconv.Quote(s) }
