package main

// The fast path: git, kubectl and docker run azcred on every request, so
// their commands (and `token`) skip building kong's model of the whole
// CLI. fastParse fills the command's own struct from its kong tags; any
// argument it does not fully understand (help, an unknown flag, a bad
// enum value) makes it give up, and kong parses as usual and reports.

import (
	"reflect"
	"strings"
)

// fastCommand returns the command struct for argv when argv can take the fast path.
func fastCommand(argv []string) (cmd interface{ Run(*app) error }, debug bool, ok bool) {
	if len(argv) == 0 {
		return nil, false, false
	}
	switch argv[0] {
	case "git":
		cmd = &GitCmd{}
	case "kube":
		cmd = &KubeCmd{}
	case "docker":
		cmd = &DockerCmd{}
	case "token":
		cmd = &TokenCmd{}
	case "keyring":
		cmd = &KeyringCmd{}
	default:
		return nil, false, false
	}
	debug, ok = fastParse(argv[1:], cmd)
	return cmd, debug, ok
}

// fastParse fills the exported string and []string fields of the struct
// that cmd points to: positional fields (tag arg) in order, the rest as
// --kebab-name flags (or name:"…", short:"…"), with default:"…" and
// enum:"…" honoured.
func fastParse(args []string, cmd any) (debug bool, ok bool) {
	v := reflect.ValueOf(cmd).Elem()
	t := v.Type()
	flags := map[string]reflect.Value{}
	enums := map[string]string{}
	var positional []reflect.Value
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous || !f.IsExported() {
			return false, false // embedded flag groups: leave them to kong
		}
		fv := v.Field(i)
		if _, isArg := f.Tag.Lookup("arg"); isArg {
			positional = append(positional, fv)
			continue
		}
		if f.Type.Kind() != reflect.String {
			return false, false
		}
		name := f.Tag.Get("name")
		if name == "" {
			name = kebab(f.Name)
		}
		if d := f.Tag.Get("default"); d != "" {
			fv.SetString(d)
		}
		flags["--"+name] = fv
		if s := f.Tag.Get("short"); s != "" {
			flags["-"+s] = fv
		}
		if e, has := f.Tag.Lookup("enum"); has {
			enums["--"+name] = e
			if s := f.Tag.Get("short"); s != "" {
				enums["-"+s] = e
			}
		}
	}
	pos := 0
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--debug":
			debug = true
		case strings.HasPrefix(a, "-") && a != "-":
			name, val, hasVal := strings.Cut(a, "=")
			fv, known := flags[name]
			if !known {
				return false, false
			}
			if !hasVal {
				if i+1 >= len(args) {
					return false, false
				}
				i++
				val = args[i]
			}
			if e, has := enums[name]; has && !inEnum(val, e) {
				return false, false
			}
			fv.SetString(val)
		default:
			if pos >= len(positional) {
				return false, false
			}
			p := positional[pos]
			switch p.Kind() {
			case reflect.String:
				p.SetString(a)
				pos++
			case reflect.Slice:
				p.Set(reflect.Append(p, reflect.ValueOf(a)))
			default:
				return false, false
			}
		}
	}
	return debug, true
}

func inEnum(v, enum string) bool {
	for _, e := range strings.Split(enum, ",") {
		if v == e {
			return true
		}
	}
	return false
}

// kebab turns ServerID into server-id as kong does.
func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && !(s[i-1] >= 'A' && s[i-1] <= 'Z') {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
