package helper

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/managedidentity"

	"github.com/azcred/azcred/store"
)

// needsLogin is a refresh that only the user can fix.
type needsLogin struct{ reason string }

func (n *needsLogin) Error() string { return n.reason }

// explain turns an MSAL or network failure into one line that names the
// host and the fix. It never includes request bodies (secrets).
func (e *Engine) explain(err error, r *Resolved) error {
	name := r.Context.Name
	who := fmt.Sprintf("context %q", name)
	login, relogin := "run: "+Cmd("login", "--context", name), "sign in again with the right secret or certificate: "
	if name == newSignIn {
		// A failed sign-in's fix is not "sign in": it is in the message.
		who = "this sign-in"
		login, relogin = "check --tenant, --client-id and the credential, then sign in again", ""
	}
	var nl *needsLogin
	if errors.As(err, &nl) {
		return WithHint(fmt.Errorf("the sign-in of %s cannot be refreshed silently: %s", who, nl.reason), "%s", login)
	}
	var he *HintError
	if errors.As(err, &he) {
		return err
	}
	host := HostOfURL(r.Env.Authority)
	fix := fmt.Sprintf("check the authority URL of environment %q ('azcred environment list')", r.Env.Name)
	if r.Context.Account.Type == store.AccountManagedIdentity {
		// MSAL asks the managed identity endpoint, never the authority.
		host, fix = managedIdentityEndpoint()
	}
	var re *RedirectError
	if errors.As(err, &re) {
		return WithHint(errors.New(re.Error()), "%s", fix)
	}
	if isTimeout(err) {
		return timedOut(host, e.Timeout, nil)
	}
	var je msalerrors.InvalidJsonErr
	if errors.As(err, &je) {
		e.Debugf("%s: %s", host, Redact(FirstLine(je.Error())))
		return WithHint(fmt.Errorf("%s answered something that is not a token", host), "%s; run with --debug for details", fix)
	}
	var ce msalerrors.CallErr
	if errors.As(err, &ce) && ce.Resp != nil {
		code, desc := aadError(ce.Resp.Body)
		status := ce.Resp.StatusCode
		switch {
		case status >= 500 || status == 429:
			detail := ""
			if code != "" {
				detail = " (" + code + ")"
			}
			hint := "the service is failing; try again later"
			if ra := ce.Resp.Header.Get("Retry-After"); ra != "" {
				hint = "the service is busy; try again in " + ra + " seconds"
			}
			return WithHint(fmt.Errorf("%s answered HTTP %d%s", host, status, detail), "%s", hint)
		case code == "invalid_grant" || code == "interaction_required" || code == "consent_required":
			return WithHint(fmt.Errorf("%s: the sign-in of %s needs you again (%s)", host, who, desc), "%s", login)
		case code == "invalid_client" || code == "unauthorized_client":
			return WithHint(fmt.Errorf("%s rejected the credential of %s (%s)", host, who, desc), "%s%s", relogin, login)
		case code != "":
			return WithHint(fmt.Errorf("%s: %s (%s)", host, code, desc), "%s", login)
		default:
			return WithHint(fmt.Errorf("%s answered HTTP %d", host, status), "run with --debug for details")
		}
	}
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	if errors.As(err, &de) || errors.As(err, &oe) || errors.As(err, &ne) {
		return WithHint(fmt.Errorf("cannot reach %s: %s", host, shortNetErr(err)), "check the network and proxy settings")
	}
	msg := Redact(FirstLine(err.Error()))
	e.Debugf("%s: %s", host, msg)
	if strings.Contains(strings.ToLower(msg), "no token found") || strings.Contains(msg, "no refresh token") {
		return WithHint(fmt.Errorf("the sign-in of %s has no refresh token", who), "%s", login)
	}
	return WithHint(fmt.Errorf("%s: %s", host, msg), "%s", login)
}

// isTimeout reports a request that ran out of time: a network timeout or
// the request's deadline.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

// timedOut is the one error for a server that did not answer within
// timeout; what names it (a host, or "registry HOST"). When also is not
// nil, errors.Is matches it too (ErrUnreachable for Resource Manager).
func timedOut(what string, timeout time.Duration, also error) error {
	err := fmt.Errorf("%s did not answer within %s", what, timeout)
	if also != nil {
		err = &wrapped{err, also}
	}
	return WithHint(err, "check the network, or raise AZCRED_TIMEOUT")
}

func shortNetErr(err error) string {
	// TLS trouble is the most useful thing to name; MSAL buries it under
	// "unable to resolve an endpoint: server response error:" lines.
	var uae x509.UnknownAuthorityError
	var hne x509.HostnameError
	var cve *tls.CertificateVerificationError
	var cie x509.CertificateInvalidError
	// A hostname mismatch also comes as a *tls.CertificateVerificationError:
	// the specific causes first, so it is not called "unknown authority".
	switch {
	case errors.As(err, &hne):
		return "its TLS certificate is for another host (" + hne.Error() + ")"
	case errors.As(err, &cie):
		return "its TLS certificate is not valid (" + cie.Error() + "); check the server's certificate and this machine's clock"
	case errors.As(err, &uae):
		return "its TLS certificate is not trusted (x509: certificate signed by unknown authority); check SSL_CERT_FILE / SSL_CERT_DIR"
	case errors.As(err, &cve):
		return "its TLS certificate is not trusted (" + FirstLine(cve.Err.Error()) + "); check SSL_CERT_FILE / SSL_CERT_DIR"
	}
	if msg := err.Error(); strings.Contains(msg, "x509: ") {
		return "TLS: " + FirstLine(msg[strings.Index(msg, "x509: "):])
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		return "no such host"
	}
	return FirstLine(err.Error())
}

// aadError reads AAD's error JSON: {"error":..., "error_description":...}.
func aadError(body io.ReadCloser) (code, desc string) {
	if body == nil {
		return "", ""
	}
	b, _ := io.ReadAll(io.LimitReader(body, 64<<10))
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(b, &e) != nil {
		return "", ""
	}
	d := FirstLine(e.Description)
	if i := strings.Index(d, ". "); i > 0 {
		d = d[:i]
	}
	return e.Error, Redact(d)
}

// HostOfURL is the host of a URL, or s itself when it has none.
func HostOfURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		return u.Host
	}
	return s
}

// FirstLine is s without surrounding space, cut at its first newline: one
// line for a message that must not spill (stderr, a protocol reply).
func FirstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// Cmd is an azcred command line for a hint: each argument shell-quoted
// once, so the hint can be pasted as it is.
func Cmd(args ...string) string {
	q := make([]string, 0, len(args)+1)
	q = append(q, "azcred")
	for _, a := range args {
		q = append(q, quoteArg(a))
	}
	return strings.Join(q, " ")
}

func quoteArg(s string) string { return store.QuoteArg(s) }

// claims are the few JWT claims azcred reads (never verifies: the token
// came from the authority over TLS).
type claims struct {
	Tenant   string `json:"tid"`
	OID      string `json:"oid"`
	UPN      string `json:"upn"`
	Username string `json:"preferred_username"`
	AppID    string `json:"appid"`
	Exp      int64  `json:"exp"`
	Iat      int64  `json:"iat"`
}

func peekClaims(jwt string) (*claims, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var c claims
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// managedIdentityEndpoint names the host MSAL asks for a managed identity
// token (the source MSAL detects from the same environment) and the fix.
func managedIdentityEndpoint() (host, fix string) {
	src, _ := managedidentity.GetSource()
	switch src {
	case managedidentity.AppService, managedidentity.ServiceFabric:
		return HostOfURL(os.Getenv("IDENTITY_ENDPOINT")), "check IDENTITY_ENDPOINT and IDENTITY_HEADER"
	case managedidentity.AzureML, managedidentity.CloudShell:
		return HostOfURL(os.Getenv("MSI_ENDPOINT")), "check MSI_ENDPOINT"
	case managedidentity.AzureArc:
		if ep := os.Getenv("IDENTITY_ENDPOINT"); ep != "" {
			return HostOfURL(ep), "check IDENTITY_ENDPOINT and the Azure Arc agent"
		}
		return "127.0.0.1:40342", "check the Azure Arc agent (himds)"
	}
	return "169.254.169.254", "check that this machine has a managed identity (IMDS at 169.254.169.254)"
}
