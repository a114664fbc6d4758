package install

// ConvertKubeconfig does what `kubelogin convert-kubeconfig` does, for azcred, without
// client-go: it edits the YAML node tree, so every key it does not own, key order,
// quoting, flow or block style and most comments survive. What yaml.v3 does not keep:
// blank lines, the original indentation (we write two spaces, and list items are
// indented under their key where kubectl writes them flush), and comments in unusual
// places (e.g. between a key and its value) may move. The meaning never changes.

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// KubeOptions says which kubeconfig users to convert and what the new exec block holds.
type KubeOptions struct {
	// Context is the kube context whose user is converted. Empty means every user that
	// already authenticates with Azure (legacy auth-provider, kubelogin, azcred), as
	// kubelogin does; other users are left alone. A named context's user is converted
	// even when it has no credentials yet, and one that authenticates some other way
	// is an error.
	Context string
	// ServerID overrides the server application id; otherwise the old block's is kept,
	// else AKSServerID.
	ServerID string
	// Command is what kubectl runs; default "azcred".
	Command string
	// AzcredContext, when set, pins `--context NAME` into the args.
	AzcredContext string
}

// ExecAPIVersion is the exec credential API the new blocks ask for (kubectl ≥ 1.22).
const ExecAPIVersion = "client.authentication.k8s.io/v1"

// ErrNotKubeconfig is returned for input that is not YAML or not a kubeconfig.
var ErrNotKubeconfig = errors.New("not a kubeconfig")

// KubeconfigPath is the file kubectl would write: the first entry of $KUBECONFIG, else
// ~/.kube/config. env is os.Getenv in production.
func KubeconfigPath(env func(string) string) string {
	for _, p := range filepath.SplitList(env("KUBECONFIG")) {
		if p != "" {
			return p
		}
	}
	return filepath.Join(userHome(env), ".kube", "config")
}

// InstallKube converts the kubeconfig at path. It writes atomically with a backup (see
// atomic.go) and only when something changed. With dryRun it writes nothing but a diff
// of the change to diff (secret values in it are redacted).
func InstallKube(path string, opts KubeOptions, dryRun bool, diff io.Writer) ([]Change, error) {
	in, err := readConfigFile(path)
	if errors.Is(err, fs.ErrNotExist) && opts.Context == "" {
		return nil, fmt.Errorf("install: kubeconfig %s does not exist", path)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("install: %w", err)
	}
	out, changes, err := ConvertKubeconfig(in, opts)
	if err != nil {
		return nil, fmt.Errorf("install: %s: %w", path, err)
	}
	for i := range changes {
		changes[i].File = path
	}
	if len(changes) == 0 {
		return nil, nil
	}
	if dryRun {
		if diff != nil {
			writeDiff(diff, path, in, out)
		}
		return changes, nil
	}
	backup := func(old []byte) []byte { return kubeBackup(old, changes) }
	if _, err := writeConfigBackup(path, out, backup); err != nil {
		return nil, fmt.Errorf("install: write %s: %w", path, err)
	}
	return changes, nil
}

// ConvertKubeconfig rewrites the chosen users of the kubeconfig in to run azcred. When
// nothing needs to change it returns in unchanged and no changes.
func ConvertKubeconfig(in []byte, opts KubeOptions) (out []byte, changes []Change, err error) {
	if opts.Command == "" {
		opts.Command = "azcred"
	}
	doc, root, err := parseKubeconfig(in)
	if err != nil {
		return nil, nil, err
	}
	var names []string // the users to look at
	if opts.Context == "" {
		names = userNames(root)
	} else {
		name, err := contextUser(root, opts.Context)
		if err != nil {
			return nil, nil, err
		}
		names = []string{name}
	}
	for _, name := range names {
		c, err := convertUser(root, name, opts)
		if err != nil {
			return nil, nil, err
		}
		if c != nil {
			changes = append(changes, *c)
		}
	}
	if len(changes) == 0 {
		return in, nil, nil
	}
	out, err = encodeKubeconfig(doc)
	if err != nil {
		return nil, nil, err
	}
	return out, changes, nil
}

// parseKubeconfig returns the document node and its root mapping. Empty input is an
// empty kubeconfig, as for kubectl.
func parseKubeconfig(in []byte) (doc, root *yaml.Node, err error) {
	if len(bytes.TrimSpace(in)) == 0 {
		root = mapping()
		return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}, root, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(in))
	doc = new(yaml.Node)
	if err := dec.Decode(doc); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNotKubeconfig, err)
	}
	if err := dec.Decode(new(yaml.Node)); !errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("%w: more than one YAML document", ErrNotKubeconfig)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("%w: the top level is not a mapping", ErrNotKubeconfig)
	}
	root = doc.Content[0]
	if kind := scalar(root, "kind"); kind != "" && kind != "Config" {
		return nil, nil, fmt.Errorf("%w: kind is %q, want Config", ErrNotKubeconfig, kind)
	}
	known := false
	for _, k := range []string{"kind", "apiVersion", "clusters", "contexts", "users", "current-context"} {
		known = known || keyIndex(root, k) >= 0
	}
	if !known {
		return nil, nil, fmt.Errorf("%w: no clusters, contexts or users", ErrNotKubeconfig)
	}
	for _, k := range []string{"clusters", "contexts", "users"} {
		if v := lookup(root, k); !isNull(v) && v.Kind != yaml.SequenceNode {
			return nil, nil, fmt.Errorf("%w: %s is not a list", ErrNotKubeconfig, k)
		}
	}
	return doc, root, nil
}

// named returns the entry of list key (clusters, contexts, users) called name.
func named(root *yaml.Node, key, name string) *yaml.Node {
	if list := lookup(root, key); list != nil && list.Kind == yaml.SequenceNode {
		for _, e := range list.Content {
			if scalar(e, "name") == name {
				return e
			}
		}
	}
	return nil
}

func userNames(root *yaml.Node) []string {
	var names []string
	if list := lookup(root, "users"); list != nil && list.Kind == yaml.SequenceNode {
		for _, e := range list.Content {
			if n := scalar(e, "name"); n != "" && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// contextUser is the user that kube context name refers to.
func contextUser(root *yaml.Node, name string) (string, error) {
	ctx := named(root, "contexts", name)
	if ctx == nil {
		var have []string
		if list := lookup(root, "contexts"); list != nil {
			for _, e := range list.Content {
				have = append(have, scalar(e, "name"))
			}
		}
		if len(have) == 0 {
			return "", fmt.Errorf("no context %q: the kubeconfig has no contexts", name)
		}
		return "", fmt.Errorf("no context %q (have %s)", name, strings.Join(have, ", "))
	}
	user := scalar(lookup(ctx, "context"), "user")
	if user == "" {
		return "", fmt.Errorf("context %q names no user", name)
	}
	return user, nil
}

// convertUser rewrites user name. In all-users mode (no opts.Context) a user that is not
// Azure's is skipped; for a named context it is an error.
func convertUser(root *yaml.Node, name string, opts KubeOptions) (*Change, error) {
	entry := named(root, "users", name)
	if entry == nil {
		// A named context may point at a user that does not exist yet.
		entry = mapping(str("name"), str(name))
		users := lookup(root, "users")
		if isNull(users) {
			remove(root, "users")
			users = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			insert(root, -1, "users", users)
		}
		users.Style &^= yaml.FlowStyle // `users: []` would print the new entry inline
		users.Content = append(users.Content, entry)
	}
	user := lookup(entry, "user")
	auth := classify(user, opts.Command)
	switch {
	case auth.kind == authForeign && opts.Context == "":
		return nil, nil
	case auth.kind == authForeign:
		return nil, fmt.Errorf("user %q authenticates with %s, which azcred does not replace; remove it or choose another context", name, auth.what)
	case auth.kind == authNone && opts.Context == "":
		return nil, nil
	}

	serverID := cmp.Or(opts.ServerID, auth.serverID, AKSServerID)
	azContext := cmp.Or(opts.AzcredContext, auth.context)
	args := []string{"kube", "--server-id", serverID}
	if auth.tenant != "" {
		args = append(args, "--tenant", auth.tenant)
	}
	if azContext != "" {
		args = append(args, "--context", azContext)
	}
	if auth.kind == authAzcred && sameExec(lookup(user, "exec"), opts.Command, args) {
		return nil, nil
	}

	if isNull(user) {
		remove(entry, "user")
		user = mapping()
		insert(entry, -1, "user", user)
	}
	// `user: {}` is flow style; a block exec inside it would be printed inline.
	entry.Style &^= yaml.FlowStyle
	user.Style &^= yaml.FlowStyle
	at := remove(user, "auth-provider")
	if i := remove(user, "exec"); at < 0 {
		at = i
	}
	insert(user, at, "exec", execNode(opts.Command, args))
	return &Change{
		Key: fmt.Sprintf("users[%s].user", name),
		Old: auth.what,
		New: "exec " + quote(strings.Join(append([]string{opts.Command}, args...), " ")),
	}, nil
}

// execBlock is the part of an exec block that decides whether it is already as we want.
type execBlock struct {
	APIVersion         string   `yaml:"apiVersion"`
	Command            string   `yaml:"command"`
	Args               []string `yaml:"args"`
	InteractiveMode    string   `yaml:"interactiveMode"`
	ProvideClusterInfo bool     `yaml:"provideClusterInfo"`
}

func sameExec(n *yaml.Node, command string, args []string) bool {
	var have execBlock
	if n == nil || n.Decode(&have) != nil {
		return false
	}
	return have.APIVersion == ExecAPIVersion && have.Command == command && slices.Equal(have.Args, args) &&
		have.InteractiveMode == "Never" && have.ProvideClusterInfo
}

// execNode builds the exec block. interactiveMode Never: azcred never prompts in protocol
// mode, and saying so lets kubectl run it without a terminal. provideClusterInfo gives
// azcred the server URL for bindings.
// https://kubernetes.io/docs/reference/access-authn-authz/authentication/#input-and-output-formats
func execNode(command string, args []string) *yaml.Node {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, a := range args {
		seq.Content = append(seq.Content, str(a))
	}
	return mapping(
		str("apiVersion"), str(ExecAPIVersion),
		str("command"), str(command),
		str("args"), seq,
		str("interactiveMode"), str("Never"),
		str("provideClusterInfo"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"},
		str("installHint"), str("azcred is required; install it, then run 'azcred login'"),
	)
}
