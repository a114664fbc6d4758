package install

// Line-based editing of the sectioned config files pip (INI) and cargo
// (TOML) read: "[section]" headers and "key = value" lines. We add one key
// under a marker comment and remove it only when the marker is still
// above it, so an uninstall takes out exactly what the install put in and
// never a setting the user made. A key the user set is never changed.

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"strings"
)

// markedFile is a config file split into lines, with what was found of
// one section's key.
type markedFile struct {
	path    string
	data    []byte
	lines   []string
	marker  string // the comment above a key we added
	ours    int    // index of our key line, or -1
	header  int    // index of the section's first header, or -1
	userSet string // the user's own setting of the key: "[section] key = value"
}

// sectionMarker is marker's variant for a key whose section header we
// added too (and remove with it).
func sectionMarker(marker string) string { return marker + " (with its section header)" }

// normName makes section and key names comparable: no spaces or quotes,
// lower case, "_" as "-" (pip reads both; cargo's keys use "-").
func normName(s string) string {
	s = strings.NewReplacer(" ", "", "\t", "", `"`, "", "'", "", "_", "-").Replace(s)
	return strings.ToLower(s)
}

// readMarked reads path (missing is empty) and finds key in section.
func readMarked(path, section, key, marker string) (*markedFile, error) {
	data, err := readConfigFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	f := &markedFile{path: path, data: data, marker: marker, ours: -1, header: -1}
	if len(data) > 0 {
		f.lines = strings.Split(strings.TrimRight(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n"), "\n")
	}
	cur := ""
	for i, l := range f.lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			cur = normName(strings.Trim(t, "[]"))
			if cur == normName(section) && f.header < 0 {
				f.header = i
			}
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			k, v, ok = strings.Cut(t, ":") // INI's other separator
		}
		if !ok || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
			continue
		}
		full := cur + "." + normName(k)
		if cur == "" {
			full = normName(k) // a dotted key at the top (TOML)
		}
		if full != normName(section)+"."+normName(key) {
			continue
		}
		if i > 0 && f.isMarker(f.lines[i-1]) {
			f.ours = i
			continue
		}
		f.userSet = "[" + section + "] " + key + " = " + strings.TrimSpace(v)
	}
	return f, nil
}

func (f *markedFile) isMarker(line string) bool {
	t := strings.TrimSpace(line)
	return t == f.marker || t == sectionMarker(f.marker)
}

// add puts "key = value" under the marker at the top of the section,
// adding the section at the end when there is none. Nothing changes when
// our key or the user's is already there.
func (f *markedFile) add(section, key, value string) ([]Change, error) {
	if f.ours >= 0 || f.userSet != "" {
		return nil, nil
	}
	kv := key + " = " + value
	lines := f.lines
	if f.header < 0 {
		if len(lines) > 0 {
			lines = append(lines, "")
		}
		lines = append(lines, "["+section+"]", sectionMarker(f.marker), kv)
	} else {
		lines = append(lines[:f.header+1], append([]string{f.marker, kv}, lines[f.header+1:]...)...)
	}
	return f.write(lines, Change{Key: section + "." + key, New: value})
}

// remove takes out our key, its marker, and the section header (with the
// blank line before it) when we added that too.
func (f *markedFile) remove(section, key string) ([]Change, error) {
	if f.ours < 0 {
		return nil, nil
	}
	lines := f.lines
	from := f.ours - 1
	if strings.TrimSpace(lines[from]) == sectionMarker(f.marker) && from > 0 && strings.HasPrefix(strings.TrimSpace(lines[from-1]), "[") {
		from--
		if from > 0 && strings.TrimSpace(lines[from-1]) == "" {
			from--
		}
	}
	old := strings.TrimSpace(lines[f.ours][strings.IndexAny(lines[f.ours], "=:")+1:])
	lines = append(lines[:from], lines[f.ours+1:]...)
	return f.write(lines, Change{Key: section + "." + key, Old: old})
}

func (f *markedFile) write(lines []string, ch Change) ([]Change, error) {
	out := []byte(strings.Join(lines, "\n") + "\n")
	if bytes.Equal(out, f.data) {
		return nil, nil
	}
	if strings.TrimSpace(string(out)) == "" {
		// Only our lines were there: the file goes, as it was before.
		target, err := resolve(f.path)
		if err == nil {
			err = os.Remove(target)
		}
		if err != nil {
			return nil, err
		}
		ch.File = target
		return []Change{ch}, nil
	}
	written, err := writeConfig(f.path, out)
	if err != nil {
		return nil, err
	}
	ch.File = written
	return []Change{ch}, nil
}
