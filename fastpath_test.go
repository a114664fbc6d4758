package main

import (
	"reflect"
	"testing"
)

// The fast path must parse exactly what kong parses, or hand over to kong.
func TestFastParseMatchesKong(t *testing.T) {
	tests := [][]string{
		{"git", "get"},
		{"git", "--context", "work", "get"},
		{"git", "erase", "extra", "args"},
		{"kube", "--server-id", "abc", "--tenant=t1"},
		{"kube", "--context", "c", "--debug"},
		{"docker", "get"},
		{"token", "--resource", "https://x.example", "-o", "raw"},
		{"token", "--output=json", "--scope", "s/.default"},
		{"token"},
	}
	for _, argv := range tests {
		t.Run(argv[0]+" "+joinArgs(argv[1:]), func(t *testing.T) {
			fast, _, ok := fastCommand(argv)
			if !ok {
				t.Fatalf("fast path refused %v", argv)
			}
			var cli CLI
			p, err := newParser(&cli, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Parse(argv); err != nil {
				t.Fatalf("kong: %v", err)
			}
			var viaKong any
			switch argv[0] {
			case "git":
				viaKong = &cli.Git
			case "kube":
				viaKong = &cli.Kube
			case "docker":
				viaKong = &cli.Docker
			case "token":
				viaKong = &cli.Token
			}
			if !reflect.DeepEqual(normalize(fast), normalize(viaKong)) {
				t.Errorf("fast %+v != kong %+v", fast, viaKong)
			}
		})
	}
	for _, argv := range [][]string{{"token", "--help"}, {"token", "-o", "yaml"}, {"kube", "--nope"}, {"kube", "--server-id"}, {"login"}} {
		if _, _, ok := fastCommand(argv); ok {
			t.Errorf("fast path accepted %v; kong must handle it", argv)
		}
	}
}

// normalize treats nil and empty slices alike.
func normalize(v any) any {
	rv := reflect.ValueOf(v).Elem()
	cp := reflect.New(rv.Type()).Elem()
	cp.Set(rv)
	for i := 0; i < cp.NumField(); i++ {
		if f := cp.Field(i); f.Kind() == reflect.Slice && f.Len() == 0 {
			f.Set(reflect.Zero(f.Type()))
		}
	}
	return cp.Interface()
}

func joinArgs(a []string) string {
	s := ""
	for _, x := range a {
		s += x + " "
	}
	return s
}
