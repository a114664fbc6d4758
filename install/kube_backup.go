package install

// The kubeconfig backup keeps what azcred replaced, minus its secrets: the access and
// refresh tokens of the old auth-provider, secret environment variables and flags of the
// old exec plugin. Those are what `install kube` says it drops; a backup that kept them
// would keep them on disk anyway. Only the users azcred converted are scrubbed: the
// others are unchanged in the live file, and the backup must restore them as they are.

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// secretName matches keys, environment variable names and flags that hold secrets.
var secretName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)(token|secret|password)`) })

// notSecret are names secretName matches that hold paths, not secrets.
var notSecret = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)(-dir|-file|_dir|_file|-path|_path)$`) })

func isSecretName(s string) bool { return secretName().MatchString(s) && !notSecret().MatchString(s) }

// kubeBackup returns old with the secrets of the converted users removed. When there is
// nothing to remove it returns old itself, byte for byte.
func kubeBackup(old []byte, changes []Change) []byte {
	doc, root, err := parseKubeconfig(old)
	if err != nil {
		return old
	}
	var users []string
	for _, c := range changes {
		if name, ok := strings.CutPrefix(c.Key, "users["); ok {
			users = append(users, strings.TrimSuffix(name, "].user"))
		}
	}
	scrubbed := false
	if list := lookup(root, "users"); list != nil && list.Kind == yaml.SequenceNode {
		for _, e := range list.Content {
			if slices.Contains(users, scalar(e, "name")) && scrubUser(lookup(e, "user")) {
				scrubbed = true
			}
		}
	}
	if !scrubbed {
		return old
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if enc.Encode(doc) != nil || enc.Close() != nil {
		return nil // never a backup with the secrets in it
	}
	return buf.Bytes()
}

// scrubUser drops the secrets of one kubeconfig user and reports whether it did.
func scrubUser(user *yaml.Node) bool {
	if user == nil || user.Kind != yaml.MappingNode {
		return false
	}
	n := dropSecretKeys(user)
	n += dropSecretKeys(lookup(lookup(user, "auth-provider"), "config"))
	ex := lookup(user, "exec")
	if env := lookup(ex, "env"); env != nil && env.Kind == yaml.SequenceNode {
		kept := env.Content[:0]
		for _, v := range env.Content {
			if isSecretName(scalar(v, "name")) {
				n++
				continue
			}
			kept = append(kept, v)
		}
		env.Content = kept
	}
	if args := lookup(ex, "args"); args != nil && args.Kind == yaml.SequenceNode {
		for i, a := range args.Content {
			flag, value, inline := strings.Cut(a.Value, "=")
			if !strings.HasPrefix(flag, "--") || !isSecretName(flag) {
				continue
			}
			switch {
			case inline && value != "":
				a.Value = flag + "=REDACTED"
				n++
			case !inline && i+1 < len(args.Content) && !strings.HasPrefix(args.Content[i+1].Value, "-"):
				args.Content[i+1].Value = "REDACTED"
				n++
			}
		}
	}
	return n > 0
}

// dropSecretKeys removes the secret keys of mapping m and returns how many.
func dropSecretKeys(m *yaml.Node) int {
	if m == nil || m.Kind != yaml.MappingNode {
		return 0
	}
	n := 0
	for i := 0; i+1 < len(m.Content); {
		if isSecretName(m.Content[i].Value) {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			n++
			continue
		}
		i += 2
	}
	return n
}
