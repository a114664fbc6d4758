package install

// Small helpers over yaml.v3's node tree. We edit the tree rather than decoding into
// structs so that keys we do not know, their order, and most comments survive.

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// lookup returns the value of key in mapping m, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	if i := keyIndex(m, key); i >= 0 {
		return m.Content[i+1]
	}
	return nil
}

// keyIndex is the index of key's key node in m.Content, or -1.
func keyIndex(m *yaml.Node, key string) int {
	if m == nil || m.Kind != yaml.MappingNode {
		return -1
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// scalar is the value of key in m when it is a scalar, else "".
func scalar(m *yaml.Node, key string) string {
	if v := lookup(m, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// remove deletes key from m and returns where it was (-1 when absent).
func remove(m *yaml.Node, key string) int {
	i := keyIndex(m, key)
	if i >= 0 {
		m.Content = append(m.Content[:i], m.Content[i+2:]...)
	}
	return i
}

// insert puts key: value into m at index at (a key position), or at the end when at < 0.
func insert(m *yaml.Node, at int, key string, value *yaml.Node) {
	pair := []*yaml.Node{str(key), value}
	if at < 0 || at > len(m.Content) {
		m.Content = append(m.Content, pair...)
		return
	}
	m.Content = append(m.Content[:at], append(pair, m.Content[at:]...)...)
}

func str(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
}

func mapping(pairs ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: pairs}
}

// isNull reports a missing value or an explicit null (`user:` or `user: null`).
func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// encodeKubeconfig writes a kubeconfig document the way kubectl lays it out: two-space
// indent, list items flush with their key.
func encodeKubeconfig(doc *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode kubeconfig: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode kubeconfig: %w", err)
	}
	return buf.Bytes(), nil
}
