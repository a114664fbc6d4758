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
// without contexts and bindings as one line of JSON, a line "buckets N",
// a hash table of N slots of 16 bytes (little-endian offset and length of
// an entry and the high half of its hash; offset 0 is an empty slot;
// linear probing on FNV-1a of kind and key), then the entries, one line
// each: "B" target-JSON position binding-JSON, or "C" name-JSON
// context-JSON. A view reads the head, and then for each lookup a slot or
// two and the entry found: the same few reads whatever the store holds.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

const indexMagic = "azcred-config-index 1"

func (s *Store) indexPath() string { return filepath.Join(s.dir, "config.idx") }

type configIndex struct {
	s       *Store
	stamp   string
	table   int64 // offset of the slots
	buckets uint64
	// full is config.json decoded, once the index file on disk no longer
	// is the one this view was made from (a write since).
	full *Config
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
	head.Contexts, head.Bindings, head.index = nil, nil, nil
	hb, err := json.Marshal(&head)
	if err != nil {
		return
	}
	type entry struct {
		key  string
		line []byte
	}
	var entries []entry
	for i, b := range cfg.Bindings {
		k, _ := json.Marshal(b.Target)
		v, _ := json.Marshal(b)
		entries = append(entries, entry{"B" + b.Target, fmt.Appendf(nil, "B %s %d %s\n", k, i, v)})
	}
	for name, c := range cfg.Contexts {
		k, _ := json.Marshal(name)
		v, _ := json.Marshal(c)
		entries = append(entries, entry{"C" + name, fmt.Appendf(nil, "C %s %s\n", k, v)})
	}
	n := uint64(2*len(entries) + 1)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n%s\nbuckets %d\n", stamp(st), hb, n)
	table := b.Len()
	b.Write(make([]byte, 16*n))
	out := b.Bytes()
	for _, e := range entries {
		off := uint64(len(out))
		out = append(out, e.line...)
		for h := fnv(e.key) % n; ; h = (h + 1) % n {
			slot := out[table+16*int(h):]
			if binary.LittleEndian.Uint64(slot) == 0 {
				binary.LittleEndian.PutUint64(slot, off)
				binary.LittleEndian.PutUint32(slot[8:], uint32(len(e.line)))
				binary.LittleEndian.PutUint32(slot[12:], uint32(fnv(e.key)>>32))
				break
			}
		}
	}
	if err := WriteFileAtomic(s.indexPath(), out, fileMode); err != nil {
		os.Remove(s.indexPath())
	}
}

func fnv(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// LoadView reads the config through config.idx when it is current, else
// decodes config.json in full. See the rules above for what a view holds.
func (s *Store) LoadView() (*Config, error) {
	// The same refusals as Load: a store others can change is never used,
	// on the fast path least of all.
	if err := s.Check(); err != nil {
		return nil, err
	}
	st, serr := os.Lstat(s.ConfigPath())
	if errors.Is(serr, fs.ErrNotExist) {
		return NewConfig(), nil
	}
	if serr == nil && st.Mode().IsRegular() {
		if cfg, ok := s.openIndex(stamp(st)); ok {
			return cfg, nil
		}
	}
	cfg, err := s.Load()
	if err == nil && serr == nil && !s.ReadOnly {
		s.reindex(cfg, st)
	}
	return cfg, err
}

// indexHead bounds the first three lines of an index (the config without
// contexts and bindings: settings and custom environments).
const indexHead = 1 << 20

// openIndex reads the head of config.idx if it was made from the
// config.json stamped want.
func (s *Store) openIndex(want string) (*Config, bool) {
	f, _, err := openStoreFile(s.indexPath(), os.O_RDONLY, 0)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	buf := make([]byte, 4096)
	n, _ := io.ReadFull(f, buf)
	buf = buf[:n]
	for bytes.Count(buf, []byte{'\n'}) < 3 && n > 0 && len(buf) < indexHead {
		more := make([]byte, len(buf))
		n, _ = io.ReadFull(f, more)
		buf = append(buf, more[:n]...)
	}
	first, rest, _ := bytes.Cut(buf, []byte{'\n'})
	head, rest, ok1 := bytes.Cut(rest, []byte{'\n'})
	third, _, ok2 := bytes.Cut(rest, []byte{'\n'})
	if string(first) != want || !ok1 || !ok2 {
		return nil, false
	}
	var buckets int64
	if _, err := fmt.Sscanf(string(third), "buckets %d", &buckets); err != nil || buckets <= 0 || buckets > maxFileSize/16 {
		return nil, false
	}
	cfg, err := ParseConfig(s.indexPath(), head)
	if err != nil {
		return nil, false
	}
	cfg.index = &configIndex{s: s, stamp: want, table: int64(len(first) + len(head) + len(third) + 3), buckets: uint64(buckets)}
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

// open opens the index file for lookups; false when it is no longer the
// file this view was made from.
func (ix *configIndex) open() (*os.File, bool) {
	f, _, err := openStoreFile(ix.s.indexPath(), os.O_RDONLY, 0)
	if err != nil {
		return nil, false
	}
	first := make([]byte, len(ix.stamp)+1)
	if _, err := f.ReadAt(first, 0); err != nil || string(first) != ix.stamp+"\n" {
		f.Close()
		return nil, false
	}
	return f, true
}

// find returns the JSON of entry kind/key from f, or nil; ok is false if
// f cannot be read.
func (ix *configIndex) find(f *os.File, kind byte, key string) (v []byte, ok bool) {
	k, _ := json.Marshal(key)
	prefix := append(append([]byte{kind, ' '}, k...), ' ')
	h := fnv(string(kind) + key)
	n := ix.buckets
	slot := make([]byte, 16)
	for i, b := uint64(0), h%n; i < n; i, b = i+1, (b+1)%n {
		if _, err := f.ReadAt(slot, ix.table+16*int64(b)); err != nil {
			return nil, false
		}
		off, size, hi := binary.LittleEndian.Uint64(slot), binary.LittleEndian.Uint32(slot[8:]), binary.LittleEndian.Uint32(slot[12:])
		if off == 0 {
			return nil, true
		}
		if hi != uint32(h>>32) {
			continue
		}
		line := make([]byte, size)
		if _, err := f.ReadAt(line, int64(off)); err != nil {
			return nil, false
		}
		if bytes.HasPrefix(line, prefix) {
			return bytes.TrimSuffix(line[len(prefix):], []byte{'\n'}), true
		}
	}
	return nil, true
}

// fallback is config.json decoded in full, for a view whose index was
// replaced since it was read.
func (ix *configIndex) fallback() *Config {
	if ix.full == nil {
		cfg, err := ix.s.Load()
		if err != nil {
			cfg = NewConfig()
		}
		ix.full = cfg
	}
	return ix.full
}

// lookupContext finds a context in the index.
func (ix *configIndex) lookupContext(name string) *Context {
	f, ok := ix.open()
	var v []byte
	if ok {
		v, ok = ix.find(f, 'C', name)
		f.Close()
	}
	if !ok {
		c, _ := ix.fallback().Lookup(name)
		return c
	}
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
	f, ok := ix.open()
	if !ok {
		return bestBinding(ix.fallback().Bindings, t)
	}
	defer f.Close()
	var found []at
	for _, c := range bindingCandidates(t) {
		v, ok := ix.find(f, 'B', c)
		if !ok {
			return bestBinding(ix.fallback().Bindings, t)
		}
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
