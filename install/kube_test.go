package install

import (
	"bytes"
	"cmp"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const fakeTenant = "11111111-2222-3333-4444-555555555555"

// kubeUsers decodes the users of a kubeconfig loosely, to compare meaning rather than bytes.
func kubeUsers(t *testing.T, b []byte) map[string]map[string]any {
	t.Helper()
	var kc struct {
		Users []struct {
			Name string         `yaml:"name"`
			User map[string]any `yaml:"user"`
		} `yaml:"users"`
	}
	if err := yaml.Unmarshal(b, &kc); err != nil {
		t.Fatalf("output is not YAML: %v\n%s", err, b)
	}
	users := map[string]map[string]any{}
	for _, u := range kc.Users {
		users[u.Name] = u.User
	}
	return users
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "kube", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConvertKubeconfig(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		opts      KubeOptions
		converted map[string][]string // user → the args of its new exec block
		golden    string              // expected output under testdata/kube, when set
		wantErr   string
	}{
		{
			name:      "legacy azure auth-provider",
			file:      "aks-legacy.yaml",
			converted: map[string][]string{"clusterUser_contoso-rg_contoso-aks": {"kube", "--server-id", AKSServerID, "--tenant", fakeTenant}},
			golden:    "aks-legacy.converted.yaml",
		},
		{
			name:      "kubelogin devicecode",
			file:      "kubelogin.yaml",
			converted: map[string][]string{"clusterUser_fabrikam-rg_fabrikam": {"kube", "--server-id", "00000000-aaaa-bbbb-cccc-000000000001", "--tenant", fakeTenant}},
			golden:    "kubelogin.converted.yaml",
		},
		{
			name:      "kubelogin service principal with a secret",
			file:      "kubelogin-spn.yaml",
			converted: map[string][]string{"ci-spn": {"kube", "--server-id", AKSServerID, "--tenant", fakeTenant}},
		},
		{
			name: "all Azure users of a mixed file",
			file: "multi.yaml",
			converted: map[string][]string{
				"contoso-user":   {"kube", "--server-id", AKSServerID, "--tenant", fakeTenant},
				"sovereign-user": {"kube", "--server-id", AKSServerID},
			},
			golden: "multi.converted.yaml",
		},
		{
			name:      "named context whose user has no credentials",
			file:      "multi.yaml",
			opts:      KubeOptions{Context: "new-aks"},
			converted: map[string][]string{"nobody-yet": {"kube", "--server-id", AKSServerID}},
		},
		{
			name:      "named context, server id and azcred context pinned",
			file:      "multi.yaml",
			opts:      KubeOptions{Context: "contoso-aks", ServerID: "00000000-aaaa-bbbb-cccc-000000000002", AzcredContext: "Contoso Prod"},
			converted: map[string][]string{"contoso-user": {"kube", "--server-id", "00000000-aaaa-bbbb-cccc-000000000002", "--tenant", fakeTenant, "--context", "Contoso Prod"}},
		},
		{
			name:      "custom command",
			file:      "aks-legacy.yaml",
			opts:      KubeOptions{Command: "/opt/azcred/azcred"},
			converted: map[string][]string{"clusterUser_contoso-rg_contoso-aks": {"kube", "--server-id", AKSServerID, "--tenant", fakeTenant}},
		},
		{
			name: "already azcred",
			file: "azcred.yaml",
		},
		{
			name:      "already azcred, now pinned to a context",
			file:      "azcred.yaml",
			opts:      KubeOptions{AzcredContext: "work"},
			converted: map[string][]string{"contoso": {"kube", "--server-id", AKSServerID, "--tenant", fakeTenant, "--context", "work"}},
		},
		{name: "another exec plugin", file: "multi.yaml", opts: KubeOptions{Context: "eks-demo"}, wantErr: `user "eks-user" authenticates with exec "aws"`},
		{name: "client certificates", file: "multi.yaml", opts: KubeOptions{Context: "kind-dev"}, wantErr: `user "kind-dev" authenticates with client-certificate-data`},
		{name: "unknown context", file: "multi.yaml", opts: KubeOptions{Context: "nope"}, wantErr: `no context "nope" (have kind-dev, contoso-aks`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := readTestdata(t, tt.file)
			out, changes, err := ConvertKubeconfig(in, tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(changes) != len(tt.converted) {
				t.Errorf("got %d changes %v, want %d", len(changes), changes, len(tt.converted))
			}
			if len(tt.converted) == 0 && !bytes.Equal(out, in) {
				t.Errorf("no change expected, but the output differs:\n%s", out)
			}
			for _, secret := range []string{"fake-access-token", "fake-refresh-token", "fake-client-secret"} {
				if bytes.Contains(out, []byte(secret)) {
					t.Errorf("output still holds %s", secret)
				}
			}
			command := cmp.Or(tt.opts.Command, "azcred")
			before, after := kubeUsers(t, in), kubeUsers(t, out)
			for name, user := range before {
				args, ok := tt.converted[name]
				if !ok {
					if !reflect.DeepEqual(after[name], user) {
						t.Errorf("user %s changed:\n%v\nwas\n%v", name, after[name], user)
					}
					continue
				}
				checkExec(t, name, after[name], command, args)
			}
			if tt.golden != "" {
				checkGolden(t, tt.golden, out)
			}
			again, changes, err := ConvertKubeconfig(out, tt.opts)
			if err != nil || len(changes) != 0 || !bytes.Equal(again, out) {
				t.Errorf("second conversion = %v, %v; want no change", changes, err)
			}
		})
	}
}

// checkExec checks one converted user: only an exec block, exactly as kubectl needs it.
func checkExec(t *testing.T, name string, user map[string]any, command string, args []string) {
	t.Helper()
	if _, ok := user["auth-provider"]; ok {
		t.Errorf("user %s kept its auth-provider", name)
	}
	exec, _ := user["exec"].(map[string]any)
	var gotArgs []string
	for _, a := range exec["args"].([]any) {
		gotArgs = append(gotArgs, a.(string))
	}
	if exec["apiVersion"] != ExecAPIVersion || exec["command"] != command || exec["interactiveMode"] != "Never" ||
		exec["provideClusterInfo"] != true || !slices.Equal(gotArgs, args) {
		t.Errorf("user %s exec = %v, want command %s args %q", name, exec, command, args)
	}
}

// checkGolden compares got with testdata/kube/name; AZCRED_UPDATE_GOLDEN=1 rewrites it.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "kube", name)
	if os.Getenv("AZCRED_UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (AZCRED_UPDATE_GOLDEN=1 updates it):\n%s", path, got)
	}
}

func TestConvertKubeconfigKeepsComments(t *testing.T) {
	out, _, err := ConvertKubeconfig(readTestdata(t, "kubelogin.yaml"), KubeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("namespace: payments # the team's namespace")) {
		t.Errorf("line comment lost:\n%s", out)
	}
	out, _, err = ConvertKubeconfig(readTestdata(t, "multi.yaml"), KubeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte("# Several clouds in one file")) {
		t.Errorf("head comment lost:\n%s", out)
	}
}

func TestConvertKubeconfigWritesBlockStyle(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty flow user", "kind: Config\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {}\n"},
		{"null user", "kind: Config\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user:\n"},
		{"flow entry", "kind: Config\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nusers:\n- {name: u, user: {}}\n"},
		{"missing user", "kind: Config\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nusers: []\n"},
		{"no users key", "kind: Config\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, changes, err := ConvertKubeconfig([]byte(tt.in), KubeOptions{Context: "x"})
			if err != nil || len(changes) != 1 {
				t.Fatalf("= %v, %v; want one change", changes, err)
			}
			if !bytes.Contains(out, []byte("\n    exec:\n      apiVersion: "+ExecAPIVersion+"\n")) {
				t.Errorf("exec block not written in block style:\n%s", out)
			}
			checkExec(t, "u", kubeUsers(t, out)["u"], "azcred", []string{"kube", "--server-id", AKSServerID})
		})
	}
}

func TestConvertKubeconfigBadInput(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"not yaml", "users: [unclosed\n"},
		{"binary", "\x00\x01\x02\xff\xfe"},
		{"a list", "- a\n- b\n"},
		{"a scalar", "hello\n"},
		{"another kind", "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n"},
		{"unrelated yaml", "foo: bar\n"},
		{"users not a list", "apiVersion: v1\nkind: Config\nusers: 5\n"},
		{"two documents", "apiVersion: v1\nkind: Config\n---\napiVersion: v1\nkind: Config\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ConvertKubeconfig([]byte(tt.in), KubeOptions{})
			if !errors.Is(err, ErrNotKubeconfig) {
				t.Errorf("err = %v, want ErrNotKubeconfig", err)
			}
		})
	}
	t.Run("empty is an empty kubeconfig", func(t *testing.T) {
		if _, changes, err := ConvertKubeconfig(nil, KubeOptions{}); err != nil || len(changes) != 0 {
			t.Errorf("= %v, %v; want no change and no error", changes, err)
		}
		if _, _, err := ConvertKubeconfig(nil, KubeOptions{Context: "x"}); err == nil || !strings.Contains(err.Error(), `no context "x"`) {
			t.Errorf("named context in an empty kubeconfig: err = %v", err)
		}
	})
}

func TestInstallKube(t *testing.T) {
	orig := readTestdata(t, "aks-legacy.yaml")
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, orig, 0o640); err != nil {
		t.Fatal(err)
	}

	var diff bytes.Buffer
	changes, err := InstallKube(path, KubeOptions{}, true, &diff)
	if err != nil || len(changes) != 1 || changes[0].File != path {
		t.Fatalf("dry run = %v, %v; want one change naming %s", changes, err, path)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) {
		t.Error("dry run changed the file")
	}
	if _, err := os.Stat(path + BackupSuffix); err == nil {
		t.Error("dry run made a backup")
	}
	d := diff.String()
	for _, want := range []string{"--- " + path, "-    auth-provider:", "+      command: azcred", "access-token: REDACTED"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, "fake-") {
		t.Errorf("diff shows a secret:\n%s", d)
	}

	if _, err := InstallKube(path, KubeOptions{}, false, nil); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("mode after install = %v, %v; want the original 0640", info.Mode(), err)
	}
	// The backup holds the original user, without the tokens install says it drops, 0600.
	backup, err := os.ReadFile(path + BackupSuffix)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(backup, []byte("fake-")) || !bytes.Contains(backup, []byte("name: azure")) || !bytes.Contains(backup, []byte("apiserver-id")) {
		t.Errorf("backup keeps secrets or lost the old user:\n%s", backup)
	}
	if info, err := os.Stat(path + BackupSuffix); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("backup mode = %v, %v; want 0600", info.Mode(), err)
	}
	converted, _ := os.ReadFile(path)
	changes, err = InstallKube(path, KubeOptions{}, false, nil)
	if err != nil || len(changes) != 0 {
		t.Errorf("second install = %v, %v; want no change", changes, err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, converted) {
		t.Error("second install rewrote the file")
	}
}

func TestInstallKubeErrorsNameThePath(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage")
	if err := os.WriteFile(garbage, []byte("{{{ not yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "eks")
	if err := os.WriteFile(foreign, readTestdata(t, "multi.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		opts       KubeOptions
	}{
		{"garbage", garbage, KubeOptions{}},
		{"missing", filepath.Join(dir, "missing"), KubeOptions{}},
		{"foreign exec", foreign, KubeOptions{Context: "eks-demo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(tt.path)
			_, err := InstallKube(tt.path, tt.opts, false, nil)
			if err == nil || !strings.Contains(err.Error(), tt.path) {
				t.Errorf("err = %v, want it to name %s", err, tt.path)
			}
			if after, _ := os.ReadFile(tt.path); !bytes.Equal(after, before) {
				t.Error("the file changed")
			}
		})
	}
}

func TestKubeconfigPath(t *testing.T) {
	sep := string(os.PathListSeparator)
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"KUBECONFIG", map[string]string{"KUBECONFIG": "/k/a" + sep + "/k/b", "HOME": "/h"}, "/k/a"},
		{"home", map[string]string{"HOME": "/h"}, filepath.Join("/h", ".kube", "config")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KubeconfigPath(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("KubeconfigPath = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestKubeBackupDropsSecrets: `install kube` keeps the replaced users in its backup,
// 0600, without their tokens, secret flags or secret environment variables.
func TestKubeBackupDropsSecrets(t *testing.T) {
	withEnv := `apiVersion: v1
kind: Config
users:
- name: aks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --login, spn, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630, --client-secret=fake-inline-secret]
      env:
      - name: AAD_SERVICE_PRINCIPAL_CLIENT_SECRET
        value: fake-env-secret
      - name: AZURE_CONFIG_DIR
        value: /home/me/.azure
- name: other
  user:
    token: other-users-static-token-kept
`
	for _, tt := range []struct{ name, in, keep string }{
		{"auth-provider tokens", string(readTestdata(t, "aks-legacy.yaml")), "apiserver-id"},
		{"kubelogin secret flag", string(readTestdata(t, "kubelogin-spn.yaml")), "--client-id"},
		{"exec env and inline flag", withEnv, "other-users-static-token-kept"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config")
			if err := os.WriteFile(path, []byte(tt.in), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := InstallKube(path, KubeOptions{}, false, nil); err != nil {
				t.Fatal(err)
			}
			backup, err := os.ReadFile(path + BackupSuffix)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(backup, []byte("fake-")) || !bytes.Contains(backup, []byte(tt.keep)) {
				t.Errorf("backup keeps a secret or lost %q:\n%s", tt.keep, backup)
			}
			if info, _ := os.Stat(path + BackupSuffix); info.Mode().Perm() != 0o600 {
				t.Errorf("backup mode %v, want 0600", info.Mode().Perm())
			}
		})
	}
}
