package helper

import (
	"reflect"
	"testing"
)

func TestParseFeedTarget(t *testing.T) {
	for _, tc := range []struct {
		raw        string
		ok         bool
		url        string
		artifacts  bool
		candidates []string
	}{
		{"sparse+https://pkgs.dev.azure.com/Contoso/_packaging/crates/Cargo/index/", true,
			"https://pkgs.dev.azure.com/Contoso/_packaging/crates/Cargo/index", true, []string{
				"https://pkgs.dev.azure.com/Contoso/_packaging/crates/Cargo/index",
				"https://pkgs.dev.azure.com/contoso/_packaging/crates/cargo/index",
				"https://dev.azure.com/contoso/_packaging/crates/cargo/index",
			}},
		{"https://contoso.pkgs.visualstudio.com/_packaging/py/pypi/simple/", true,
			"https://contoso.pkgs.visualstudio.com/_packaging/py/pypi/simple", true, []string{
				"https://contoso.pkgs.visualstudio.com/_packaging/py/pypi/simple",
				"https://pkgs.dev.azure.com/contoso/_packaging/py/pypi/simple",
				"https://dev.azure.com/contoso/_packaging/py/pypi/simple",
			}},
		// pip's and uv's second question: the bare host.
		{"pkgs.dev.azure.com", true, "https://pkgs.dev.azure.com", true, []string{"https://pkgs.dev.azure.com", "https://dev.azure.com"}},
		{"127.0.0.1:8443", true, "https://127.0.0.1:8443", false, []string{"https://127.0.0.1:8443"}},
		// A user name in the URL is not part of the target.
		{"https://azcred@pkgs.dev.azure.com:443/o/_packaging/f/pypi/simple/", true, "https://pkgs.dev.azure.com/o/_packaging/f/pypi/simple", true, nil},
		// Not Azure: no lower-case or alias candidates; http is never Artifacts.
		{"https://index.crates.io/", true, "https://index.crates.io", false, []string{"https://index.crates.io"}},
		{"http://pkgs.dev.azure.com/o/", true, "http://pkgs.dev.azure.com/o", false, []string{"http://pkgs.dev.azure.com/o"}},
		// An Azure-looking name under another domain is not Azure.
		{"https://pkgs.dev.azure.com.evil.example/o/", true, "https://pkgs.dev.azure.com.evil.example/o", false, nil},
		{"ftp://pkgs.dev.azure.com/o", false, "", false, nil},
		// Hosts that are not DNS names, and dot-segments that would let
		// contoso's binding answer for fabrikam's feed, are never ours.
		{"https://attacker.example\\.pkgs.visualstudio.com/_packaging/f/pypi/simple", false, "", false, nil},
		{"https://pkgs.dev.azure.com/contoso/%2e%2e/fabrikam/_packaging/f/pypi/simple", false, "", false, nil},
		{"https://pkgs.dev.azure.com/contoso/../fabrikam/_packaging/f/pypi/simple", false, "", false, nil},
		{"https://pkgs.dev.azure.com\u212a/o", false, "", false, nil},
		{"https://", false, "", false, nil},
		{"sparse+", false, "", false, nil},
	} {
		got, ok := ParseFeedTarget(tc.raw)
		if ok != tc.ok || got.URL != tc.url || got.Artifacts != tc.artifacts {
			t.Errorf("%q: got %+v %v", tc.raw, got, ok)
			continue
		}
		if tc.candidates != nil && !reflect.DeepEqual(got.Candidates(), tc.candidates) {
			t.Errorf("%q: candidates %q, want %q", tc.raw, got.Candidates(), tc.candidates)
		}
	}
}

func TestTenantFromHeaders(t *testing.T) {
	for _, tc := range []struct {
		headers []string
		want    string
	}{
		{[]string{"WWW-Authenticate: Bearer authorization_uri=https://login.microsoftonline.com/11111111-1111-4111-8111-111111111111"}, "11111111-1111-4111-8111-111111111111"},
		{[]string{"x-vss-resourcetenant: 22222222-2222-4222-8222-222222222222"}, "22222222-2222-4222-8222-222222222222"},
		{[]string{"X-VSS-ResourceTenant: 00000000-0000-0000-0000-000000000000"}, ""},
		{[]string{"WWW-Authenticate: Cargo login_url=\"https://x\""}, ""},
		{[]string{"no colon", "WWW-Authenticate: Bearer authorization_uri=https://login.microsoftonline.com/common"}, ""},
		{nil, ""},
	} {
		if got := tenantFromHeaders(tc.headers); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.headers, got, tc.want)
		}
	}
}
