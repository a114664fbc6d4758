package helper

import (
	"slices"
	"strings"
	"testing"

	"github.com/azcred/azcred/store"
)

func TestParseGitTarget(t *testing.T) {
	tests := []struct {
		name                     string
		protocol, host, path, us string
		want                     GitTarget
		ok                       bool
	}{
		{"path names the org", "https", "dev.azure.com", "contoso/proj/_git/repo", "",
			GitTarget{URL: "https://dev.azure.com/contoso/proj/_git/repo", DevOps: true}, true},
		{"path beats user name", "https", "dev.azure.com", "contoso/proj/_git/repo", "fabrikam",
			GitTarget{URL: "https://dev.azure.com/contoso/proj/_git/repo", DevOps: true}, true},
		{"user name names the org", "https", "dev.azure.com", "", "contoso",
			GitTarget{URL: "https://dev.azure.com/contoso", DevOps: true}, true},
		{"an e-mail user name is not an org", "https", "dev.azure.com", "", "alice@contoso.example",
			GitTarget{URL: "https://dev.azure.com", DevOps: true}, true},
		{"host only", "https", "DEV.Azure.com:443", "", "",
			GitTarget{URL: "https://dev.azure.com", DevOps: true}, true},
		{"slashes trimmed, spaces escaped", "https", "dev.azure.com", "/contoso/My Project/_git/repo/", "",
			GitTarget{URL: "https://dev.azure.com/contoso/My%20Project/_git/repo", DevOps: true}, true},
		{"visualstudio.com has a dev.azure.com alias", "https", "Contoso.VisualStudio.com", "proj/_git/repo", "contoso",
			GitTarget{URL: "https://contoso.visualstudio.com/proj/_git/repo", Alias: "https://dev.azure.com/contoso/proj/_git/repo", DevOps: true}, true},
		{"visualstudio.com without a path", "https", "contoso.visualstudio.com", "", "",
			GitTarget{URL: "https://contoso.visualstudio.com", Alias: "https://dev.azure.com/contoso", DevOps: true}, true},
		{"plain http is never Azure DevOps", "http", "dev.azure.com", "contoso", "",
			GitTarget{URL: "http://dev.azure.com/contoso"}, true},
		{"another host keeps its port", "https", "127.0.0.1:8443", "contoso/proj/_git/repo", "",
			GitTarget{URL: "https://127.0.0.1:8443/contoso/proj/_git/repo"}, true},
		{"another host with an org user name", "https", "127.0.0.1:8443", "", "contoso",
			GitTarget{URL: "https://127.0.0.1:8443/contoso"}, true},
		{"github is not Azure DevOps", "https", "github.com", "octo/repo", "",
			GitTarget{URL: "https://github.com/octo/repo"}, true},
		{"a look-alike host is not Azure DevOps", "https", "dev.azure.com.evil.example", "", "",
			GitTarget{URL: "https://dev.azure.com.evil.example"}, true},
		{"ssh is not ours", "ssh", "dev.azure.com", "", "", GitTarget{}, false},
		{"cert is not ours", "cert", "", "/etc/key.pem", "", GitTarget{}, false},
		{"no host", "https", "", "contoso", "", GitTarget{}, false},
		{"host with userinfo", "https", "user@dev.azure.com", "", "", GitTarget{}, false},
		// Hosts are DNS names or addresses (issue 17.9): git decodes
		// url=https://attacker.example%5C.visualstudio.com/x to this host.
		{"backslash in host", "https", `attacker.example\.visualstudio.com`, "x", "", GitTarget{}, false},
		{"space in host", "https", "dev.azure.com .evil.example", "", "", GitTarget{}, false},
		{"trailing dot", "https", "dev.azure.com.", "contoso", "", GitTarget{}, false},
		{"underscore label", "https", "evil_.visualstudio.com", "", "", GitTarget{}, false},
		{"bad port", "https", "dev.azure.com:99999", "contoso", "", GitTarget{}, false},
		{"Cyrillic o", "https", "dev.azure.c\u043em", "contoso", "", GitTarget{}, false},
		{"KELVIN SIGN lower-cases to k", "https", "\u212Aontoso.visualstudio.com", "", "", GitTarget{}, false},
		{"IPv6 address", "https", "[::1]:8443", "org", "", GitTarget{URL: "https://[::1]:8443/org"}, true},
		// Dot-segments (issue 17.11): the server may resolve them to
		// another organisation than a binding prefix would pick.
		{"dot-dot segment", "https", "dev.azure.com", "contoso/../fabrikam/proj/_git/repo", "", GitTarget{}, false},
		{"dot segment", "https", "dev.azure.com", "contoso/./proj", "", GitTarget{}, false},
		{"backslash dot-dot", "https", "dev.azure.com", `contoso\..\fabrikam`, "", GitTarget{}, false},
		{"still-encoded dot-dot", "https", "dev.azure.com", "contoso/%2E%2e/fabrikam", "", GitTarget{}, false},
		{"still-encoded slash", "https", "dev.azure.com", "contoso%2f..%2ffabrikam", "", GitTarget{}, false},
		{"dot-dot user name", "https", "dev.azure.com", "", "..", GitTarget{}, false},
		{"dots inside a name are fine", "https", "dev.azure.com", "contoso/my..proj/_git/.repo", "",
			GitTarget{URL: "https://dev.azure.com/contoso/my..proj/_git/.repo", DevOps: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseGitTarget(tt.protocol, tt.host, tt.path, tt.us)
			if ok != tt.ok || got != tt.want {
				t.Errorf("ParseGitTarget(%q, %q, %q, %q) = %+v, %v; want %+v, %v",
					tt.protocol, tt.host, tt.path, tt.us, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// The target of an escaped path must match a binding made for the same
// URL, or a project with a space in its name would fall through to the
// default context.
func TestParseGitTargetMatchesBindings(t *testing.T) {
	c := store.NewConfig()
	for _, n := range []string{"work", "spaced", "legacy", "upper"} {
		c.SetContext(&store.Context{Name: n})
	}
	for _, b := range []store.Binding{
		{Target: "https://dev.azure.com/contoso", Context: "work"},
		{Target: "https://dev.azure.com/contoso/My%20Project", Context: "spaced"},
		{Target: "https://dev.azure.com/fabrikam", Context: "legacy"},
		{Target: "https://dev.azure.com/Tailspin", Context: "upper"},
	} {
		if err := c.SetBinding(b); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ host, path, user, want string }{
		{"dev.azure.com", "contoso/proj/_git/repo", "", "work"},
		{"dev.azure.com", "contoso/My Project/_git/repo", "", "spaced"},
		{"dev.azure.com", "", "contoso", "work"},
		{"fabrikam.visualstudio.com", "proj/_git/repo", "", "legacy"},
		{"dev.azure.com", "Contoso/Proj/_git/Repo", "", "work"},
		{"FABRIKAM.visualstudio.com", "proj/_git/repo", "", "legacy"},
		{"dev.azure.com", "Tailspin/proj/_git/repo", "", "upper"},
		{"dev.azure.com", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.host+"/"+tt.path+"@"+tt.user, func(t *testing.T) {
			gt, ok := ParseGitTarget("https", tt.host, tt.path, tt.user)
			if !ok {
				t.Fatal("not a target")
			}
			got := ""
			for _, u := range gt.Candidates() {
				if b := c.MatchBinding(u); b != nil {
					got = b.Context
					break
				}
			}
			if got != tt.want {
				t.Errorf("binding for %+v = %q, want %q", gt, got, tt.want)
			}
		})
	}
}

func TestTenantFromChallenge(t *testing.T) {
	tests := []struct{ uri, want string }{
		{"https://login.microsoftonline.com/22222222-2222-4222-8222-222222222222", "22222222-2222-4222-8222-222222222222"},
		{"https://login.microsoftonline.com/fabrikam.onmicrosoft.com/", "fabrikam.onmicrosoft.com"},
		{"https://login.microsoftonline.com/22222222-2222-4222-8222-222222222222/oauth2/authorize", "22222222-2222-4222-8222-222222222222"},
		{"https://login.microsoftonline.com/common", ""},
		{"https://login.microsoftonline.com/Organizations", ""},
		{"https://login.microsoftonline.com/", ""},
		{"http://login.microsoftonline.com/22222222-2222-4222-8222-222222222222", ""},
		{"https://login.microsoftonline.com/a%2Fb", ""},
		{"https://login.microsoftonline.com/x y", ""},
		{"not a url", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			if got := TenantFromChallenge(tt.uri); got != tt.want {
				t.Errorf("TenantFromChallenge(%q) = %q, want %q", tt.uri, got, tt.want)
			}
		})
	}
}

func TestIsRegistryOf(t *testing.T) {
	env := &store.Environment{RegistrySuffix: ".azurecr.io"}
	tests := []struct {
		host string
		env  *store.Environment
		want bool
	}{
		{"contoso.azurecr.io", env, true},
		{"Contoso.AzureCR.io:443", env, true},
		{"azurecr.io", env, false},
		{"contoso.azurecr.io.evil.example", env, false},
		{"contoso.azurecr.io", &store.Environment{}, false},
		{"contoso.azurecr.io", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			if got := IsRegistryOf(tt.host, tt.env); got != tt.want {
				t.Errorf("IsRegistryOf(%q) = %v, want %v", tt.host, got, tt.want)
			}
		})
	}
}

func TestGitTargetCandidates(t *testing.T) {
	tests := []struct {
		name string
		in   GitTarget
		want []string
	}{
		{"Azure DevOps adds the lower-case form",
			GitTarget{URL: "https://dev.azure.com/Contoso/P", DevOps: true},
			[]string{"https://dev.azure.com/Contoso/P", "https://dev.azure.com/contoso/p"}},
		{"no duplicates",
			GitTarget{URL: "https://dev.azure.com/contoso", DevOps: true},
			[]string{"https://dev.azure.com/contoso"}},
		{"alias after the URL",
			GitTarget{URL: "https://contoso.visualstudio.com/P", Alias: "https://dev.azure.com/contoso/P", DevOps: true},
			[]string{"https://contoso.visualstudio.com/P", "https://contoso.visualstudio.com/p", "https://dev.azure.com/contoso/P", "https://dev.azure.com/contoso/p"}},
		{"other hosts keep their case",
			GitTarget{URL: "https://git.example/Team"},
			[]string{"https://git.example/Team"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Candidates(); !slices.Equal(got, tt.want) {
				t.Errorf("Candidates() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIsGitHTTP(t *testing.T) {
	for p, want := range map[string]bool{"https": true, "HTTP": true, "ssh": false, "cert": false, "": false, "https ": false} {
		t.Run(p, func(t *testing.T) {
			if got := IsGitHTTP(p); got != want {
				t.Errorf("IsGitHTTP(%q) = %v, want %v", p, got, want)
			}
		})
	}
}

// Whatever git sends, a target azcred accepts has a plain host (letters,
// digits, dots, hyphens, a port, or a bracketed IPv6 address), and a path
// with no dot-segment however it is spelt: the two things a binding
// prefix and the DevOps check rely on.
func FuzzParseGitTarget(f *testing.F) {
	f.Add("https", "dev.azure.com", "contoso/proj/_git/repo", "")
	f.Add("https", `attacker.example\.visualstudio.com`, "x", "")
	f.Add("http", "127.0.0.1:18765", "contoso/%2e%2e/fabrikam", "org")
	f.Fuzz(func(t *testing.T, protocol, host, path, user string) {
		tg, ok := ParseGitTarget(protocol, host, path, user)
		if !ok {
			return
		}
		_, rest, _ := strings.Cut(tg.URL, "://")
		h, p, _ := strings.Cut(rest, "/")
		for _, c := range h {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]", c)) {
				t.Fatalf("host %q of %q has %q", h, tg.URL, c)
			}
		}
		if hasDotSegment(p) {
			t.Fatalf("path of %q has a dot-segment", tg.URL)
		}
		if tg.DevOps && !strings.HasPrefix(tg.URL, "https://") {
			t.Fatalf("DevOps over %s", tg.URL)
		}
	})
}
