package install

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// topLevel decodes a docker config into its keys (in order) and their compacted values.
func topLevel(t *testing.T, b []byte) ([]string, map[string]string) {
	t.Helper()
	o, err := parseObject(b)
	if err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, b)
	}
	vals := map[string]string{}
	for k, v := range o.vals {
		var c bytes.Buffer
		if err := json.Compact(&c, v); err != nil {
			t.Fatal(err)
		}
		vals[k] = c.String()
	}
	return o.keys, vals
}

func TestInstallDocker(t *testing.T) {
	full, err := os.ReadFile(filepath.Join("testdata", "docker", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		initial     string // "" = no file
		opts        DockerOptions
		wantHelpers string // credHelpers afterwards, compact JSON; "" = absent
		wantStore   string // credsStore afterwards, compact JSON; "" = absent
		wantChanges int
	}{
		{
			name:        "new file",
			opts:        DockerOptions{Registries: []string{"contoso.azurecr.io"}},
			wantHelpers: `{"contoso.azurecr.io":"azcred"}`,
			wantChanges: 1,
		},
		{
			name:        "empty file",
			initial:     "\n",
			opts:        DockerOptions{CredsStore: true},
			wantStore:   `"azcred"`,
			wantChanges: 1,
		},
		{
			name:        "user config, registries normalised, another helper replaced",
			initial:     string(full),
			opts:        DockerOptions{Registries: []string{"https://Contoso.azurecr.io/v2/", "contoso.azurecr.io/team/app", "127.0.0.1:5000", "fabrikam.azurecr.io"}},
			wantHelpers: `{"gcr.io":"gcloud","fabrikam.azurecr.io":"azcred","contoso.azurecr.io":"azcred","127.0.0.1:5000":"azcred"}`,
			wantStore:   `"desktop"`,
			wantChanges: 3,
		},
		{
			name:        "user config, creds store",
			initial:     string(full),
			opts:        DockerOptions{CredsStore: true},
			wantHelpers: `{"gcr.io":"gcloud","fabrikam.azurecr.io":"acr-env"}`,
			wantStore:   `"azcred"`,
			wantChanges: 1,
		},
		{
			name:        "uninstall everything ours",
			initial:     `{"auths":{},"credHelpers":{"a.azurecr.io":"azcred","b.azurecr.io":"azcred"},"credsStore":"azcred"}`,
			opts:        DockerOptions{Uninstall: true},
			wantChanges: 3,
		},
		{
			name:        "uninstall one registry",
			initial:     `{"credHelpers":{"a.azurecr.io":"azcred","b.azurecr.io":"azcred","gcr.io":"gcloud"},"credsStore":"azcred"}`,
			opts:        DockerOptions{Uninstall: true, Registries: []string{"A.azurecr.io"}},
			wantHelpers: `{"b.azurecr.io":"azcred","gcr.io":"gcloud"}`,
			wantStore:   `"azcred"`,
			wantChanges: 1,
		},
		{
			name:        "uninstall leaves other helpers",
			initial:     string(full),
			opts:        DockerOptions{Uninstall: true},
			wantHelpers: `{"gcr.io":"gcloud","fabrikam.azurecr.io":"acr-env"}`,
			wantStore:   `"desktop"`,
		},
		{
			name:        "custom helper name",
			initial:     `{"credHelpers":{"a.azurecr.io":"azcred"}}`,
			opts:        DockerOptions{Registries: []string{"a.azurecr.io"}, Helper: "azcred-dev"},
			wantHelpers: `{"a.azurecr.io":"azcred-dev"}`,
			wantChanges: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), ".docker")
			path := filepath.Join(dir, "config.json")
			if tt.initial != "" {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(tt.initial), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			changes, err := InstallDocker(path, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(changes) != tt.wantChanges {
				t.Errorf("got %d changes %v, want %d", len(changes), changes, tt.wantChanges)
			}
			out, err := os.ReadFile(path)
			if tt.initial == "" && tt.wantChanges == 0 {
				if err == nil {
					t.Error("a file was created though nothing changed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantChanges > 0 && !bytes.Contains(out, []byte("\n\t\"")) {
				t.Errorf("not tab-indented like docker writes it:\n%s", out)
			}
			keys, vals := topLevel(t, out)
			if vals["credHelpers"] != tt.wantHelpers {
				t.Errorf("credHelpers = %s, want %s", vals["credHelpers"], tt.wantHelpers)
			}
			if vals["credsStore"] != tt.wantStore {
				t.Errorf("credsStore = %s, want %s", vals["credsStore"], tt.wantStore)
			}
			if tt.initial != "" && strings.TrimSpace(tt.initial) != "" {
				// Every key we do not own keeps its value and its place.
				oldKeys, oldVals := topLevel(t, []byte(tt.initial))
				var kept []string
				for _, k := range oldKeys {
					if k == "credHelpers" || k == "credsStore" {
						continue
					}
					kept = append(kept, k)
					if vals[k] != oldVals[k] {
						t.Errorf("%s = %s, was %s", k, vals[k], oldVals[k])
					}
				}
				var got []string
				for _, k := range keys {
					if k != "credHelpers" && k != "credsStore" {
						got = append(got, k)
					}
				}
				if !reflect.DeepEqual(got, kept) {
					t.Errorf("keys %v, want %v in that order", got, kept)
				}
				if tt.wantChanges > 0 {
					if backup, _ := os.ReadFile(path + BackupSuffix); string(backup) != tt.initial {
						t.Errorf("backup = %q, want the original", backup)
					}
				}
			}
			info, _ := os.Stat(path)
			wantMode := os.FileMode(0o644)
			if tt.initial == "" {
				wantMode = 0o600
				if d, _ := os.Stat(dir); d.Mode().Perm() != 0o700 {
					t.Errorf("new directory mode %v, want 0700", d.Mode().Perm())
				}
			}
			if info.Mode().Perm() != wantMode {
				t.Errorf("file mode %v, want %v", info.Mode().Perm(), wantMode)
			}

			again, err := InstallDocker(path, tt.opts)
			if err != nil || len(again) != 0 {
				t.Errorf("second run = %v, %v; want no change", again, err)
			}
			if now, _ := os.ReadFile(path); !bytes.Equal(now, out) {
				t.Error("second run rewrote the file")
			}
		})
	}
}

func TestInstallDockerPreservesValuesExactly(t *testing.T) {
	// HTML characters, numbers and unicode must survive as written, not re-escaped.
	path := filepath.Join(t.TempDir(), "config.json")
	in := `{"psFormat":"<{{.Names}}> & é","experimental":1.50,"big":12345678901234567890}`
	if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := InstallDocker(path, DockerOptions{Registries: []string{"a.azurecr.io"}}); err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(path)
	for _, want := range []string{`"<{{.Names}}> & é"`, `1.50`, `12345678901234567890`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lost %s:\n%s", want, out)
		}
	}
}

func TestInstallDockerRefusesCorruptConfig(t *testing.T) {
	tests := []struct{ name, content string }{
		{"not json", "{not json"},
		{"truncated", `{"auths": {`},
		{"an array", `[]`},
		{"a string", `"hello"`},
		{"trailing data", `{} {}`},
		{"credHelpers not an object", `{"credHelpers": ["a"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, opts := range []DockerOptions{{Registries: []string{"a.azurecr.io"}}, {Uninstall: true}} {
				_, err := InstallDocker(path, opts)
				if !errors.Is(err, ErrNotDockerConfig) || !strings.Contains(err.Error(), path) {
					t.Errorf("err = %v, want ErrNotDockerConfig naming %s", err, path)
				}
			}
			if now, _ := os.ReadFile(path); string(now) != tt.content {
				t.Errorf("file changed to %q", now)
			}
			if _, err := os.Stat(path + BackupSuffix); err == nil {
				t.Error("a backup was written")
			}
		})
	}
}

func TestInstallDockerNeedsSomethingToDo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	if _, err := InstallDocker(path, DockerOptions{}); err == nil {
		t.Error("install without registries or creds store succeeded")
	}
	if _, err := InstallDocker(path, DockerOptions{Registries: []string{"https:///x"}}); err == nil {
		t.Error("an empty host was accepted")
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("a file was written")
	}
}

func TestNormaliseRegistry(t *testing.T) {
	tests := []struct{ in, want string }{
		{"contoso.azurecr.io", "contoso.azurecr.io"},
		{"Contoso.AzureCR.io", "contoso.azurecr.io"},
		{"https://contoso.azurecr.io", "contoso.azurecr.io"},
		{"https://contoso.azurecr.io/v2/team/app", "contoso.azurecr.io"},
		{"contoso.azurecr.io/team/app:1.0", "contoso.azurecr.io"},
		{" 127.0.0.1:5000 ", "127.0.0.1:5000"},
		{"oci://localhost:5000/charts", "localhost:5000"},
		{"Contoso.azurecr.io:05000", "contoso.azurecr.io:5000"},
		{"https://user@contoso.azurecr.io/v2/", "contoso.azurecr.io"},
		{"contoso..azurecr.io", ""},
		{"", ""},
		{"https://", ""},
		{"a b", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormaliseRegistry(tt.in)
			if (err != nil) != (tt.want == "") || got != tt.want {
				t.Errorf("NormaliseRegistry(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestDockerConfigPath(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"DOCKER_CONFIG", map[string]string{"DOCKER_CONFIG": "/d", "HOME": "/h"}, filepath.Join("/d", "config.json")},
		{"home", map[string]string{"HOME": "/h"}, filepath.Join("/h", ".docker", "config.json")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DockerConfigPath(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("DockerConfigPath = %q, want %q", got, tt.want)
			}
		})
	}
}
