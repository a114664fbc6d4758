package helper

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	const (
		jwt       = "eyJ0eXAiOiJKV1QifQ.eyJleHAiOjEsImZha2UiOnRydWV9.ZmFrZS1zaWduYXR1cmU"
		b64       = "Zm9vYmFyYmF6cXV4ZmFrZWZha2VmYWtlZmFrZWZha2U9PQ8xYz" // mixed case and digits
		b64Slash  = "Q2xpZW50U2VjcmV0RmFrZQ/Zm9vYmFyYmF6cXV4ZmFrZWZha2VmYWtl12"
		aadSecret = "fAk8Q~FakeFakeFake1234567890fakeFAKEfake" // 40, an Entra client secret's shape
		pat       = "fake2fake3fake4fake5fake6fake7fake2fake3fake4fake5fa"
		msalRT    = "1.AXEAfakeFAKEfake0123456789fakeFAKEfake0123456789-_fake"
	)
	tests := []struct {
		name, in, want string
	}{
		// URLs survive whole (issue 17.12: "https:[redacted]").
		{"token endpoint", "POST https://login.microsoftonline.com/11111111-1111-4111-8111-111111111111/oauth2/v2.0/token",
			"POST https://login.microsoftonline.com/11111111-1111-4111-8111-111111111111/oauth2/v2.0/token"},
		{"openid configuration", "GET https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration",
			"GET https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration"},
		{"git target", "git: https://dev.azure.com/contoso/My%20Project/_git/a-rather-long-repository-name → context \"work\"",
			"git: https://dev.azure.com/contoso/My%20Project/_git/a-rather-long-repository-name → context \"work\""},
		{"long host", "cannot reach contoso-prod-dns-1a2b3c4d.hcp.westeurope.azmk8s.io:443",
			"cannot reach contoso-prod-dns-1a2b3c4d.hcp.westeurope.azmk8s.io:443"},
		{"ARM query", "GET https://management.azure.com/subscriptions?api-version=2022-12-01",
			"GET https://management.azure.com/subscriptions?api-version=2022-12-01"},
		{"MSI query", "GET http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com",
			"GET http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com"},
		{"store path", "lock /home/someone/.config/azcred/locks/0123456789abcdef01234567.lock",
			"lock /home/someone/.config/azcred/locks/0123456789abcdef01234567.lock"},
		{"context name", `cache hit for 11111111-1111-4111-8111-111111111111 - alice@contoso.example (binding https://dev.azure.com/contoso) scope 499b84ac-1321-427f-aa17-267ca6975798/.default`,
			`cache hit for 11111111-1111-4111-8111-111111111111 - alice@contoso.example (binding https://dev.azure.com/contoso) scope 499b84ac-1321-427f-aa17-267ca6975798/.default`},
		// Secrets go, whatever they sit in.
		{"JWT", "token " + jwt + " expires", "token [redacted] expires"},
		{"JWT in a URL", "https://x.example/cb?assertion=" + jwt, "https://x.example/cb?assertion=[redacted]"},
		{"base64 run", "secret-ish " + b64 + " end", "secret-ish [redacted] end"},
		{"base64 with a slash", "got " + b64Slash, "got [redacted]"},
		{"Entra client secret", "x " + aadSecret, "x [redacted]"},
		{"lower-case PAT", "pat " + pat, "pat [redacted]"},
		{"MSAL refresh token", "rt " + msalRT, "rt [redacted]"},
		{"secret in a path segment", "https://x.example/a/" + b64 + "/b", "https://x.example/a/[redacted]/b"},
		{"form field", "client_secret=short-fake&grant_type=client_credentials", "client_secret=[redacted]&grant_type=client_credentials"},
		{"JSON field", `{"refresh_token":"short-fake","token_type":"Bearer"}`, `{"refresh_token":"[redacted]","token_type":"Bearer"}`},
		{"docker JSON", `{"ServerURL":"x.azurecr.io","Secret":"short-fake"}`, `{"ServerURL":"x.azurecr.io","Secret":"[redacted]"}`},
		{"URL password", "https://user:short-fake@dev.azure.com/contoso", "https://user:[redacted]@dev.azure.com/contoso"},
		{"passphrase", "AZCRED_KEYRING_PASSPHRASE=x passphrase: hunter2", "AZCRED_KEYRING_PASSPHRASE=[redacted] passphrase: [redacted]"},
		{"secret variable", "AZURE_CLIENT_SECRET=short-fake AZURE_TENANT_ID=t", "AZURE_CLIENT_SECRET=[redacted] AZURE_TENANT_ID=t"},
		// Names that only contain a secret word keep their values.
		{"not secrets", `password_expiry_utc=1700000000 "token_endpoint_auth_methods_supported":["client_secret_post"]`,
			`password_expiry_utc=1700000000 "token_endpoint_auth_methods_supported":["client_secret_post"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// Redacting twice changes nothing, and no input makes Redact keep a JWT.
func FuzzRedact(f *testing.F) {
	f.Add("https://login.example/t/oauth2/v2.0/token client_secret=x")
	f.Add("eyJhbGciOiJub25lIn0.eyJleHAiOjF9.x")
	f.Fuzz(func(t *testing.T, s string) {
		once := Redact(s)
		if twice := Redact(once); twice != once {
			t.Errorf("not idempotent: %q → %q → %q", s, once, twice)
		}
		if strings.Contains(once, "eyJ") && jwtRE.MatchString(once) {
			t.Errorf("a JWT survived: %q", once)
		}
	})
}
