package install

// Merging the kubeconfig that AKS hands out (`azcred aks get-credentials`) into the user's,
// the way `az aks get-credentials` does, but with azcred's exec plugin instead of kubelogin:
//   - --context NAME renames the first context, its cluster and the current-context (the
//     user keeps AKS's name, clusterUser_RG_NAME); an admin context gets "-admin" appended;
//   - clusters, users and contexts merge by name: an entry that is new is appended, one
//     that is identical or --overwrite-existing replaces the old one in place, and a
//     different entry of the same name is an error naming it (az would prompt; we never do);
//   - current-context becomes the new context; everything else in the file is kept;
//   - the file is replaced atomically with a backup (atomic.go) and left 0600, as kubectl and
//     az want it: it names a credential plugin and may hold static credentials.
// On any error nothing is written, so the file stays byte-identical.

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"strings"

	"go.yaml.in/yaml/v3"
)

// AKSOptions say how to prepare the kubeconfig AKS returned.
type AKSOptions struct {
	// ContextName renames the first context and cluster (az's --context).
	ContextName string
	// Command is what kubectl runs for azcred; default "azcred".
	Command string
}

// AKSKubeconfig is a kubeconfig from AKS, converted and ready to merge or print.
type AKSKubeconfig struct {
	Data    []byte
	Context string   // its current-context
	Servers []string // the server URLs of its clusters
	// Static names the users that hold a static credential (client certificate, token,
	// password) rather than an Entra ID sign-in: admin credentials and clusters without
	// Entra integration.
	Static []string
	// ServerID is the server application id of the converted exec users ("" if none).
	ServerID string
}

// PrepareAKSKubeconfig converts a kubeconfig from listClusterUserCredential or
// listClusterAdminCredential: kubelogin users become azcred exec users and contexts are
// named as az names them.
func PrepareAKSKubeconfig(in []byte, opts AKSOptions) (*AKSKubeconfig, error) {
	if opts.Command == "" {
		opts.Command = "azcred"
	}
	doc, root, err := parseKubeconfig(in)
	if err != nil {
		return nil, err
	}
	contexts, clusters := lookup(root, "contexts"), lookup(root, "clusters")
	if contexts == nil || len(contexts.Content) == 0 || clusters == nil || len(clusters.Content) == 0 {
		return nil, fmt.Errorf("%w: no cluster or no context", ErrNotKubeconfig)
	}
	if n := opts.ContextName; n != "" {
		setScalar(contexts.Content[0], "name", n)
		setScalar(lookup(contexts.Content[0], "context"), "cluster", n)
		setScalar(clusters.Content[0], "name", n)
		setScalar(root, "current-context", n)
	}
	// az renames the admin context so that it does not replace the user context.
	for _, c := range contexts.Content {
		if strings.HasPrefix(scalar(lookup(c, "context"), "user"), "clusterAdmin") {
			name := scalar(c, "name") + "-admin"
			setScalar(c, "name", name)
			setScalar(root, "current-context", name)
			break
		}
	}
	out := &AKSKubeconfig{Context: scalar(root, "current-context")}
	if out.Context == "" {
		out.Context = scalar(contexts.Content[0], "name")
		setScalar(root, "current-context", out.Context)
	}
	for _, c := range clusters.Content {
		if s := scalar(lookup(c, "cluster"), "server"); s != "" {
			out.Servers = append(out.Servers, s)
		}
	}
	for _, name := range userNames(root) {
		auth := classify(lookup(named(root, "users", name), "user"), opts.Command)
		if auth.kind == authForeign {
			out.Static = append(out.Static, name)
			continue
		}
		if _, err := convertUser(root, name, KubeOptions{Command: opts.Command}); err != nil {
			return nil, err
		}
		out.ServerID = cmp.Or(auth.serverID, out.ServerID)
	}
	if out.Data, err = encodeKubeconfig(doc); err != nil {
		return nil, err
	}
	return out, nil
}

// ConflictError is a merge that would replace a different entry of the same name.
type ConflictError struct {
	Kind string // clusters, users or contexts
	Name string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("a different entry named %q already exists in %s", e.Name, e.Kind)
}

// MergeKubeconfig merges addition into existing as az does and returns the new content.
// Empty existing content is an empty kubeconfig.
func MergeKubeconfig(existing, addition []byte, overwrite bool) ([]byte, error) {
	add, addRoot, err := parseKubeconfig(addition)
	if err != nil {
		return nil, err
	}
	if len(strings.TrimSpace(string(existing))) == 0 {
		return encodeKubeconfig(add)
	}
	doc, root, err := parseKubeconfig(existing)
	if err != nil {
		return nil, err
	}
	for _, key := range []string{"clusters", "users", "contexts"} {
		if err := mergeList(root, lookup(addRoot, key), key, overwrite); err != nil {
			return nil, err
		}
	}
	if cur := scalar(addRoot, "current-context"); cur != "" {
		setScalar(root, "current-context", cur)
	}
	return encodeKubeconfig(doc)
}

// mergeList merges the entries of the list add into root's list key.
func mergeList(root, add *yaml.Node, key string, overwrite bool) error {
	if add == nil || add.Kind != yaml.SequenceNode || len(add.Content) == 0 {
		return nil
	}
	list := lookup(root, key)
	if isNull(list) {
		remove(root, key)
		list = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		insert(root, -1, key, list)
	}
	list.Style &^= yaml.FlowStyle // `users: []` would print the new entries inline
	for _, entry := range add.Content {
		name := scalar(entry, "name")
		i := indexNamed(list, name)
		switch {
		case i < 0:
			list.Content = append(list.Content, entry)
		case overwrite || sameValue(list.Content[i], entry):
			list.Content[i] = entry
		default:
			return &ConflictError{Kind: key, Name: name}
		}
	}
	return nil
}

func indexNamed(list *yaml.Node, name string) int {
	if name == "" {
		return -1
	}
	for i, e := range list.Content {
		if scalar(e, "name") == name {
			return i
		}
	}
	return -1
}

// sameValue compares two entries by meaning, not layout (az compares the parsed dicts).
func sameValue(a, b *yaml.Node) bool {
	var va, vb any
	if a.Decode(&va) != nil || b.Decode(&vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// setScalar sets key to the string value in mapping m (adding it when absent).
func setScalar(m *yaml.Node, key, value string) {
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	if v := lookup(m, key); v != nil && v.Kind == yaml.ScalarNode {
		v.Value, v.Tag, v.Style = value, "!!str", 0
		return
	}
	at := remove(m, key)
	insert(m, at, key, str(value))
}

// KubeconfigMerge is a planned merge into a kubeconfig file: nothing is written until Write.
type KubeconfigMerge struct {
	Path     string
	old, new []byte
}

// PlanMerge merges addition into the kubeconfig at path (a missing file is empty) in
// memory. Errors name the path.
func PlanMerge(path string, addition []byte, overwrite bool) (*KubeconfigMerge, error) {
	in, err := readConfigFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("install: %w", err)
	}
	out, err := MergeKubeconfig(in, addition, overwrite)
	if err != nil {
		return nil, fmt.Errorf("install: %s: %w", path, err)
	}
	return &KubeconfigMerge{Path: path, old: in, new: out}, nil
}

// Changed reports whether Write will change the file's content.
func (m *KubeconfigMerge) Changed() bool { return !bytes.Equal(m.old, m.new) }

// Write replaces the file atomically (keeping a backup) and leaves it 0600. It refuses when
// the file changed since PlanMerge, so a concurrent edit is never lost.
func (m *KubeconfigMerge) Write() error {
	now, err := readConfigFile(m.Path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("install: %w", err)
	}
	if !bytes.Equal(now, m.old) {
		return fmt.Errorf("install: %s changed while azcred was merging into it; nothing was written", m.Path)
	}
	target := m.Path
	if m.Changed() {
		if target, err = writeConfig(m.Path, m.new); err != nil {
			return fmt.Errorf("install: write %s: %w", m.Path, err)
		}
	}
	return tighten(target)
}

// ExecCommand is what a kubeconfig should run for azcred: "azcred" when it is on PATH,
// else this executable's path.
func ExecCommand() string {
	if _, err := exec.LookPath("azcred"); err != nil {
		if exe, err := os.Executable(); err == nil {
			return exe
		}
	}
	return "azcred"
}

// tighten makes a kubeconfig readable by its owner only (kubectl and az warn otherwise).
func tighten(path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() == newFileMode {
		return nil
	}
	if err := os.Chmod(path, newFileMode); err != nil {
		return fmt.Errorf("install: %s: %w", path, err)
	}
	return nil
}
