package install

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// aksUserKubeconfig is what listClusterUserCredential returns for a cluster with Entra ID
// (obviously fake values).
const aksUserKubeconfig = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: RkFLRS1DQQ==
    server: https://aks1-dns.hcp.westeurope.azmk8s.invalid:443
  name: aks1
contexts:
- context:
    cluster: aks1
    user: clusterUser_rg_aks1
  name: aks1
current-context: aks1
kind: Config
preferences: {}
users:
- name: clusterUser_rg_aks1
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - 6dae42f8-4368-4678-94ff-3960e28e3630
      - --client-id
      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a
      - --tenant-id
      - 11111111-2222-3333-4444-555555555555
      - --login
      - devicecode
      command: kubelogin
      env: null
      provideClusterInfo: false
`

// aksAdminKubeconfig is what listClusterAdminCredential returns.
const aksAdminKubeconfig = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: RkFLRS1DQQ==
    server: https://aks1-dns.hcp.westeurope.azmk8s.invalid:443
  name: aks1
contexts:
- context:
    cluster: aks1
    user: clusterAdmin_rg_aks1
  name: aks1
current-context: aks1
kind: Config
users:
- name: clusterAdmin_rg_aks1
  user:
    client-certificate-data: RkFLRQ==
    client-key-data: RkFLRQ==
    token: fake-static-token
`

// kubeNames lists the names of a kubeconfig's clusters, users and contexts, and its
// current-context, to compare meaning rather than bytes.
type kubeNames struct {
	Clusters, Users, Contexts []string
	Current                   string
}

func namesOf(t *testing.T, b []byte) kubeNames {
	t.Helper()
	var kc struct {
		Clusters []struct{ Name string } `yaml:"clusters"`
		Users    []struct{ Name string } `yaml:"users"`
		Contexts []struct {
			Name    string
			Context struct{ Cluster, User string }
		} `yaml:"contexts"`
		Current string `yaml:"current-context"`
	}
	if err := yaml.Unmarshal(b, &kc); err != nil {
		t.Fatalf("not YAML: %v\n%s", err, b)
	}
	var n kubeNames
	for _, c := range kc.Clusters {
		n.Clusters = append(n.Clusters, c.Name)
	}
	for _, u := range kc.Users {
		n.Users = append(n.Users, u.Name)
	}
	for _, c := range kc.Contexts {
		n.Contexts = append(n.Contexts, c.Name+"="+c.Context.Cluster+"/"+c.Context.User)
	}
	n.Current = kc.Current
	return n
}

func TestPrepareAKSKubeconfig(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		opts       AKSOptions
		want       kubeNames
		wantArgs   []string // the azcred exec args of the only user; nil for a static user
		wantStatic []string
		wantErr    error
	}{
		{
			name: "Entra user credentials become an azcred exec user",
			in:   aksUserKubeconfig,
			want: kubeNames{Clusters: []string{"aks1"}, Users: []string{"clusterUser_rg_aks1"},
				Contexts: []string{"aks1=aks1/clusterUser_rg_aks1"}, Current: "aks1"},
			wantArgs: []string{"kube", "--server-id", AKSServerID, "--tenant", fakeTenant},
		},
		{
			name: "--context renames the context and its cluster, not the user",
			in:   aksUserKubeconfig,
			opts: AKSOptions{ContextName: "prod"},
			want: kubeNames{Clusters: []string{"prod"}, Users: []string{"clusterUser_rg_aks1"},
				Contexts: []string{"prod=prod/clusterUser_rg_aks1"}, Current: "prod"},
			wantArgs: []string{"kube", "--server-id", AKSServerID, "--tenant", fakeTenant},
		},
		{
			name: "admin credentials: -admin context, static user kept as AKS sent it",
			in:   aksAdminKubeconfig,
			want: kubeNames{Clusters: []string{"aks1"}, Users: []string{"clusterAdmin_rg_aks1"},
				Contexts: []string{"aks1-admin=aks1/clusterAdmin_rg_aks1"}, Current: "aks1-admin"},
			wantStatic: []string{"clusterAdmin_rg_aks1"},
		},
		{name: "not YAML", in: "this: is: not: yaml: [", wantErr: ErrNotKubeconfig},
		{name: "no cluster", in: "apiVersion: v1\nkind: Config\nusers: []\n", wantErr: ErrNotKubeconfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PrepareAKSKubeconfig([]byte(tt.in), tt.opts)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := namesOf(t, got.Data); !equalNames(n, tt.want) {
				t.Errorf("names = %+v, want %+v", n, tt.want)
			}
			if got.Context != tt.want.Current {
				t.Errorf("Context = %q, want %q", got.Context, tt.want.Current)
			}
			if !slices.Equal(got.Static, tt.wantStatic) {
				t.Errorf("Static = %q, want %q", got.Static, tt.wantStatic)
			}
			if !slices.Equal(got.Servers, []string{"https://aks1-dns.hcp.westeurope.azmk8s.invalid:443"}) {
				t.Errorf("Servers = %q", got.Servers)
			}
			users := kubeUsers(t, got.Data)
			for _, u := range users {
				ex, _ := u["exec"].(map[string]any)
				if tt.wantArgs == nil {
					if ex != nil {
						t.Errorf("a static user got an exec block: %v", ex)
					}
					continue
				}
				var args []string
				for _, a := range ex["args"].([]any) {
					args = append(args, a.(string))
				}
				if !slices.Equal(args, tt.wantArgs) || ex["command"] != "azcred" || ex["apiVersion"] != ExecAPIVersion ||
					ex["interactiveMode"] != "Never" || ex["provideClusterInfo"] != true {
					t.Errorf("exec = %v, want azcred %q, v1, Never, provideClusterInfo", ex, tt.wantArgs)
				}
			}
			if strings.Contains(string(got.Data), "kubelogin") {
				t.Errorf("kubelogin left in:\n%s", got.Data)
			}
		})
	}
}

func equalNames(a, b kubeNames) bool {
	return slices.Equal(a.Clusters, b.Clusters) && slices.Equal(a.Users, b.Users) &&
		slices.Equal(a.Contexts, b.Contexts) && a.Current == b.Current
}

const existingKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: other
  cluster:
    server: https://other.example.invalid
- name: aks1
  cluster:
    server: https://old.example.invalid
contexts:
- name: other
  context:
    cluster: other
    user: other
current-context: other
preferences:
  colors: false
users:
- name: other
  user:
    token: not-a-real-token
`

func TestMergeKubeconfig(t *testing.T) {
	prepared, err := PrepareAKSKubeconfig([]byte(aksUserKubeconfig), AKSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	add := prepared.Data
	tests := []struct {
		name      string
		existing  string
		overwrite bool
		want      kubeNames
		conflict  *ConflictError
	}{
		{
			name:     "into an empty file",
			existing: "",
			want: kubeNames{Clusters: []string{"aks1"}, Users: []string{"clusterUser_rg_aks1"},
				Contexts: []string{"aks1=aks1/clusterUser_rg_aks1"}, Current: "aks1"},
		},
		{
			name:     "a different cluster of the same name is a conflict",
			existing: existingKubeconfig,
			conflict: &ConflictError{Kind: "clusters", Name: "aks1"},
		},
		{
			name:      "--overwrite-existing replaces it in place and keeps the rest",
			existing:  existingKubeconfig,
			overwrite: true,
			want: kubeNames{Clusters: []string{"other", "aks1"}, Users: []string{"other", "clusterUser_rg_aks1"},
				Contexts: []string{"other=other/other", "aks1=aks1/clusterUser_rg_aks1"}, Current: "aks1"},
		},
		{
			name:     "users: [] in flow style",
			existing: "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n",
			want: kubeNames{Clusters: []string{"aks1"}, Users: []string{"clusterUser_rg_aks1"},
				Contexts: []string{"aks1=aks1/clusterUser_rg_aks1"}, Current: "aks1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := MergeKubeconfig([]byte(tt.existing), add, tt.overwrite)
			if tt.conflict != nil {
				var ce *ConflictError
				if !errors.As(err, &ce) || *ce != *tt.conflict {
					t.Fatalf("err = %v, want %v", err, tt.conflict)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := namesOf(t, out); !equalNames(n, tt.want) {
				t.Errorf("names = %+v, want %+v\n%s", n, tt.want, out)
			}
			if tt.existing == existingKubeconfig && !strings.Contains(string(out), "colors: false") {
				t.Errorf("preferences were lost:\n%s", out)
			}
			if strings.Contains(string(out), "users: [") {
				t.Errorf("flow-style list kept:\n%s", out)
			}
			// Merging the same thing again is no conflict and no change.
			again, err := MergeKubeconfig(out, add, false)
			if err != nil || string(again) != string(out) {
				t.Errorf("second merge: err %v, changed:\n%s", err, again)
			}
		})
	}
}

func TestKubeconfigMergeWrite(t *testing.T) {
	prepared, err := PrepareAKSKubeconfig([]byte(aksUserKubeconfig), AKSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a missing file is created 0600", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kube", "config")
		m, err := PlanMerge(path, prepared.Data, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Write(); err != nil {
			t.Fatal(err)
		}
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("stat: %v %v", info, err)
		}
	})
	t.Run("an existing file is backed up and tightened to 0600", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "config")
		old := strings.Replace(existingKubeconfig, "- name: aks1\n  cluster:\n    server: https://old.example.invalid\n", "", 1)
		if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := PlanMerge(path, prepared.Data, false)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Changed() {
			t.Fatal("Changed() = false")
		}
		if err := m.Write(); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(path + BackupSuffix); string(b) != old {
			t.Errorf("backup = %q", b)
		}
		if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
			t.Errorf("mode = %v, want 0600", info.Mode().Perm())
		}
	})
	t.Run("a file changed since the plan is left alone", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "config")
		if err := os.WriteFile(path, []byte(existingKubeconfig), 0o600); err != nil {
			t.Fatal(err)
		}
		m, err := PlanMerge(path, prepared.Data, true)
		if err != nil {
			t.Fatal(err)
		}
		edited := existingKubeconfig + "# edited meanwhile\n"
		if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := m.Write(); err == nil || !strings.Contains(err.Error(), "changed while") {
			t.Fatalf("Write() = %v, want a refusal", err)
		}
		if b, _ := os.ReadFile(path); string(b) != edited {
			t.Errorf("file was rewritten")
		}
	})
	t.Run("an unparsable file is named and not written", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "config")
		if err := os.WriteFile(path, []byte("this: is: not: yaml: ["), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := PlanMerge(path, prepared.Data, false)
		if !errors.Is(err, ErrNotKubeconfig) || !strings.Contains(err.Error(), path) {
			t.Fatalf("err = %v, want ErrNotKubeconfig naming %s", err, path)
		}
	})
}
