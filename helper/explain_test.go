package helper

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"

	"github.com/azcred/azcred/store"
)

// callErr is what MSAL returns for an HTTP answer that is not a token.
func callErr(status int, body string, header http.Header) error {
	if header == nil {
		header = http.Header{}
	}
	resp := &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(strings.NewReader(body))}
	return fmt.Errorf("token request: %w", msalerrors.CallErr{Resp: resp, Err: errors.New("http call failed")})
}

// netErr is a transport failure as net/http returns it.
func netErr(err error) error {
	return &url.Error{Op: "Post", URL: "https://login.example.test/fake-tenant/oauth2/v2.0/token", Err: err}
}

// Every way a refresh fails turns into one line naming the host, and a
// hint that says what to do.
func TestExplain(t *testing.T) {
	// No managed identity source in the environment: MSAL would ask IMDS.
	for _, k := range []string{"IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "MSI_ENDPOINT", "IMDS_ENDPOINT"} {
		t.Setenv(k, "")
	}
	user := &store.Context{Name: "work", Account: store.Account{ID: "fake-user@example.invalid", Type: store.AccountUser}}
	mi := &store.Context{Name: "vm", Account: store.Account{ID: "MSI@50342", Type: store.AccountManagedIdentity}}
	signIn := &store.Context{Name: newSignIn, Account: store.Account{ID: "fake-client", Type: store.AccountServicePrincipal}}
	login := "run: azcred login --context work"
	tests := []struct {
		name      string
		ctx       *store.Context
		env       map[string]string
		err       error
		wantErr   string
		wantHint  string
		wantDebug string
	}{
		{name: "503 without Retry-After", err: callErr(503, `{"error":"temporarily_unavailable","error_description":"AADSTS90006: busy. Trace ID: x"}`, nil),
			wantErr: "login.example.test answered HTTP 503 (temporarily_unavailable)", wantHint: "the service is failing; try again later"},
		{name: "503 with Retry-After", err: callErr(503, "", http.Header{"Retry-After": {"30"}}),
			wantErr: "login.example.test answered HTTP 503", wantHint: "the service is busy; try again in 30 seconds"},
		{name: "429", err: callErr(429, `{"error":"too_many_requests"}`, http.Header{"Retry-After": {"5"}}),
			wantErr: "login.example.test answered HTTP 429 (too_many_requests)", wantHint: "try again in 5 seconds"},
		{name: "invalid_grant", err: callErr(400, `{"error":"invalid_grant","error_description":"AADSTS70043: The refresh token has expired. Trace ID: fake"}`, nil),
			wantErr: `login.example.test: the sign-in of context "work" needs you again (AADSTS70043: The refresh token has expired)`, wantHint: login},
		{name: "interaction_required", err: callErr(400, `{"error":"interaction_required","error_description":"AADSTS50076: MFA required"}`, nil),
			wantErr: `needs you again (AADSTS50076: MFA required)`, wantHint: login},
		{name: "invalid_client", err: callErr(401, `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}`, nil),
			wantErr:  `login.example.test rejected the credential of context "work" (AADSTS7000215: Invalid client secret provided.)`,
			wantHint: "sign in again with the right secret or certificate: " + login},
		{name: "other AAD error", err: callErr(400, `{"error":"invalid_scope","error_description":"AADSTS70011: bad scope"}`, nil),
			wantErr: "login.example.test: invalid_scope (AADSTS70011: bad scope)", wantHint: login},
		{name: "HTTP error without AAD body", err: callErr(404, "<html>not found</html>", nil),
			wantErr: "login.example.test answered HTTP 404", wantHint: "run with --debug for details"},
		{name: "timeout", err: fmt.Errorf("post: %w", context.DeadlineExceeded),
			wantErr: "login.example.test did not answer within 30s", wantHint: "check the network, or raise AZCRED_TIMEOUT"},
		{name: "DNS", err: netErr(&net.DNSError{Err: "no such host", Name: "login.example.test", IsNotFound: true}),
			wantErr: "cannot reach login.example.test: no such host", wantHint: "check the network and proxy settings"},
		{name: "connection refused", err: netErr(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}),
			wantErr: "cannot reach login.example.test: connect: connection refused", wantHint: "check the network and proxy settings"},
		{name: "TLS unknown authority", err: netErr(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}),
			wantErr: "cannot reach login.example.test: its TLS certificate is not trusted (x509: certificate signed by unknown authority); check SSL_CERT_FILE / SSL_CERT_DIR"},
		{name: "TLS hostname mismatch", err: netErr(&tls.CertificateVerificationError{Err: x509.HostnameError{
			Certificate: &x509.Certificate{DNSNames: []string{"other.example.test"}}, Host: "login.example.test"}}),
			wantErr: "its TLS certificate is for another host (x509: certificate is valid for other.example.test, not login.example.test)"},
		{name: "redirect refused", err: fmt.Errorf("post: %w", &RedirectError{From: "https://login.example.test/t", To: "https://elsewhere.example.test/t"}),
			wantErr:  "https://login.example.test/t redirected to https://elsewhere.example.test/t, another origin: not followed",
			wantHint: `check the authority URL of environment "AzureCloud" ('azcred environment list')`},
		{name: "garbage 200", err: msalerrors.InvalidJsonErr{Err: errors.New("invalid character '<' looking for beginning of value")},
			wantErr: "login.example.test answered something that is not a token", wantHint: "run with --debug for details", wantDebug: "invalid character"},
		{name: "no saved sign-in", err: &needsLogin{reason: "no refresh token is saved"},
			wantErr: `the sign-in of context "work" cannot be refreshed silently: no refresh token is saved`, wantHint: login},
		{name: "a hint already given passes through", err: WithHint(errors.New("fake: already explained"), "fake hint"),
			wantErr: "fake: already explained", wantHint: "fake hint"},
		{name: "unknown error is redacted", err: errors.New("weird: refresh_token=fake-refresh-not-real\nsecond line"),
			wantErr: "login.example.test: weird: refresh_token=", wantHint: login},
		{name: "managed identity names IMDS", ctx: mi, err: netErr(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}),
			wantErr: "cannot reach 169.254.169.254: connect: connection refused", wantHint: "check the network and proxy settings"},
		{name: "managed identity timeout names IMDS", ctx: mi, err: context.DeadlineExceeded,
			wantErr: "169.254.169.254 did not answer within 30s"},
		{name: "managed identity redirect names its fix", ctx: mi, err: &RedirectError{From: "http://169.254.169.254/x", To: "http://elsewhere.example.test/"},
			wantHint: "check that this machine has a managed identity (IMDS at 169.254.169.254)"},
		{name: "App Service managed identity names its endpoint", ctx: mi,
			env: map[string]string{"IDENTITY_ENDPOINT": "http://127.0.0.1:41234/msi/token", "IDENTITY_HEADER": "fake-header"},
			err: callErr(500, "", nil), wantErr: "127.0.0.1:41234 answered HTTP 500"},
		{name: "a new sign-in's hint is not 'sign in'", ctx: signIn,
			err:      callErr(401, `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}`, nil),
			wantErr:  "rejected the credential of this sign-in",
			wantHint: "check --tenant, --client-id and the credential, then sign in again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var debug strings.Builder
			e := &Engine{Timeout: 30 * time.Second, Debugf: func(f string, a ...any) { fmt.Fprintf(&debug, f+"\n", a...) }}
			c := tt.ctx
			if c == nil {
				c = user
			}
			r := &Resolved{Context: c, Env: &store.Environment{Name: "AzureCloud", Authority: "https://login.example.test/"}}
			err := e.explain(tt.err, r)
			if err == nil {
				t.Fatal("explain returned nil")
			}
			if msg := err.Error(); !strings.Contains(msg, tt.wantErr) || strings.Contains(msg, "\n") {
				t.Errorf("error = %q\nwant one line containing %q", msg, tt.wantErr)
			}
			if tt.wantHint != "" && Hint(err) != tt.wantHint && !strings.Contains(Hint(err), tt.wantHint) {
				t.Errorf("hint = %q\nwant %q", Hint(err), tt.wantHint)
			}
			if Hint(err) == "" {
				t.Errorf("no hint for %q", err)
			}
			if !strings.Contains(debug.String(), tt.wantDebug) {
				t.Errorf("debug = %q, want %q", debug.String(), tt.wantDebug)
			}
			if strings.Contains(err.Error()+Hint(err)+debug.String(), "fake-refresh-not-real") {
				t.Errorf("a secret leaked: %q / %q / %q", err, Hint(err), debug.String())
			}
		})
	}
}
