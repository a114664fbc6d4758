package store

// config.idx lets a warm call read one context and the few bindings that
// could match its target without decoding the whole config.json, whose
// cost grows with every context and binding saved.
//
// Rules:
//   - config.json stays the source of truth; config.idx is derived from it,
//     written (atomically, under the store lock) right after it, and names
//     the size and modification time of the config.json it was made from;
//   - an index that does not name the config.json on disk (a crash between
//     the two writes, a hand edit, an older azcred's write) is ignored: the
//     config is decoded in full, and the index rewritten if the store lock
//     is free;
//   - a view (LoadView) answers Context, MatchBinding, Environment, Default
//     and Settings like the full config; it has no list of contexts or
//     bindings, so only the token flows use it, and no write ever starts
//     from one (Update and UpdateAll always decode config.json).
//
// Layout: a first line "azcred-config-index 1 SIZE MTIME-NS", the config
// without contexts and bindings as one line of JSON, then one line per
// binding ("B" target position JSON) and per context ("C" name JSON), the key
// JSON-quoted, all sorted bytewise so a key is found by binary search.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

const indexMagic = "azcred-config-index 1"

func (s *Store) indexPath() string { return filepath.Join(s.dir, "config.idx") }

type configIndex struct {
	data  []byte
	lines [][]byte // sorted entry lines
}

// stamp identifies a config.json as written.
func stamp(st fs.FileInfo) string {
	return fmt.Sprintf("%s %d %d", indexMagic, st.Size(), st.ModTime().UnixNano())
}

// writeIndex writes config.idx for cfg, which was just written as the
// config.json whose stat is st. Best effort: without an index, readers
// decode config.json.
func (s *Store) writeIndex(cfg *Config, st fs.FileInfo) {
	head := *cfg
	head.Contexts, head.Bindings = nil, nil
	hb, err := json.Marshal(&head)
	if err != nil {
		return
	}
	lines := make([]string, 0, len(cfg.Contexts)+len(cfg.Bindings))
	for i, b := range cfg.Bindings {
		k, _ := json.Marshal(b.Target)
		v, _ := json.Marshal(b)
		lines = append(lines, fmt.Sprintf("B %s %d %s", k, i, v))
	}
	for name, c := range cfg.Contexts {
		k, _ := json.Marshal(name)
		v, _ := json.Marshal(c)
		lines = append(lines, "C "+string(k)+" "+string(v))
	}
	sort.Strings(lines)
	var b bytes.Buffer
	b.WriteString(stamp(st) + "\n")
	b.Write(hb)
	b.WriteByte('\n')
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if err := WriteFileAtomic(s.indexPath(), b.Bytes(), fileMode); err != nil {
		os.Remove(s.indexPath())
	}
}

// LoadView reads the config through config.idx when it is current, else
// decodes config.json in full. See the rules above for what a view holds.
func (s *Store) LoadView() (*Config, error) {
	idx, err := os.ReadFile(s.indexPath())
	st, serr := os.Stat(s.ConfigPath())
	if errors.Is(serr, fs.ErrNotExist) {
		return NewConfig(), nil
	}
	if err == nil && serr == nil {
		if cfg, ok := s.parseIndex(idx, st); ok {
			return cfg, nil
		}
	}
	cfg, err := s.Load()
	if err == nil && serr == nil && !s.ReadOnly {
		s.reindex(cfg, st)
	}
	return cfg, err
}

func (s *Store) parseIndex(data []byte, st fs.FileInfo) (*Config, bool) {
	first, rest, ok := bytes.Cut(data, []byte{'\n'})
	if !ok || string(first) != stamp(st) {
		return nil, false
	}
	head, rest, ok := bytes.Cut(rest, []byte{'\n'})
	if !ok {
		return nil, false
	}
	cfg, err := ParseConfig(s.indexPath(), head)
	if err != nil {
		return nil, false
	}
	ix := &configIndex{data: data}
	for len(rest) > 0 {
		line, more, ok := bytes.Cut(rest, []byte{'\n'})
		if !ok {
			return nil, false // cut short
		}
		ix.lines = append(ix.lines, line)
		rest = more
	}
	cfg.index = ix
	return cfg, true
}

// reindex writes the index of a config decoded in full, if the store lock
// is free and config.json is still the file that was decoded.
func (s *Store) reindex(cfg *Config, st fs.FileInfo) {
	unlock, err := lockPath(context.Background(), s.lockPath(), os.O_CREATE|os.O_RDWR, 0)
	if err != nil {
		return
	}
	defer unlock()
	if now, err := os.Stat(s.ConfigPath()); err == nil && stamp(now) == stamp(st) {
		s.writeIndex(cfg, now)
	}
}

// find returns the JSON of entry kind/key, or nil.
func (ix *configIndex) find(kind byte, key string) []byte {
	k, _ := json.Marshal(key)
	prefix := append(append([]byte{kind, ' '}, k...), ' ')
	i := sort.Search(len(ix.lines), func(i int) bool {
		l := ix.lines[i]
		if len(l) > len(prefix) {
			l = l[:len(prefix)]
		}
		return bytes.Compare(l, prefix) >= 0
	})
	if i < len(ix.lines) && bytes.HasPrefix(ix.lines[i], prefix) {
		return ix.lines[i][len(prefix):]
	}
	return nil
}

// lookupContext finds a context in the index.
func (ix *configIndex) lookupContext(name string) *Context {
	v := ix.find('C', name)
	if v == nil {
		return nil
	}
	c := &Context{}
	if json.Unmarshal(v, c) != nil {
		return nil
	}
	c.Name = name
	return c
}

// bindingCandidates are the only binding targets that can match the
// normalised target t (see matchLen): t itself, each of its path prefixes
// and its bare host for a URL; for a bare host, itself and the path-less
// URLs on it.
func bindingCandidates(t string) []string {
	out := []string{t}
	if _, rest, ok := strings.Cut(t, "://"); ok {
		start := len(t) - len(rest)
		for i := start; i < len(t); i++ {
			if t[i] == '/' {
				out = append(out, t[:i])
			}
		}
		return append(out, hostOf(t))
	}
	return append(out, "http://"+t, "https://"+t)
}

// matchIndexed is MatchBinding over the index: it decodes the candidate
// bindings only and picks among them exactly as the full scan would.
func (ix *configIndex) matchIndexed(t string) *Binding {
	type at struct {
		pos int
		b   Binding
	}
	var found []at
	for _, c := range bindingCandidates(t) {
		v := ix.find('B', c)
		if v == nil {
			continue
		}
		var f at
		pos, v, _ := bytes.Cut(v, []byte{' '})
		if _, err := fmt.Sscan(string(pos), &f.pos); err == nil && json.Unmarshal(v, &f.b) == nil {
			found = append(found, f)
		}
	}
	// In config order, as the full scan sees them.
	sort.Slice(found, func(i, j int) bool { return found[i].pos < found[j].pos })
	list := make([]Binding, len(found))
	for i, f := range found {
		list[i] = f.b
	}
	return bestBinding(list, t)
}
