package helper

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxResponseBody bounds every HTTP response body azcred reads (token
// endpoints, managed identity, Resource Manager lists, ACR): an authority
// that answers with hundreds of megabytes must not take our memory, nor end
// up in the vault.
const maxResponseBody = 8 << 20

// maxTokenSize bounds an access token we hand out and cache. Entra's are a
// few kilobytes (group claims overflow to a link past 200 groups); an HTTP
// server would refuse a header this large anyway.
const maxTokenSize = 64 << 10

// errBodyTooLarge is what a read past maxResponseBody returns.
var errBodyTooLarge = fmt.Errorf("response body is larger than %d bytes", maxResponseBody)

// NewHTTPClient is the one HTTP client azcred uses: system roots (Go
// honours SSL_CERT_FILE and SSL_CERT_DIR), proxies from the environment,
// a bound on every phase so nothing waits forever and on every body, and
// redirects only within one origin (see sameOrigin).
func NewHTTPClient(timeout time.Duration) *http.Client { return newHTTPClientTrusting(timeout, nil) }

// newHTTPClientTrusting is NewHTTPClient with roots instead of the
// system's when roots is not nil (tests' loopback servers).
func newHTTPClientTrusting(timeout time.Duration, roots *x509.CertPool) *http.Client {
	dial := &net.Dialer{Timeout: min(timeout, 10*time.Second), KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 directToLinkLocal(http.ProxyFromEnvironment),
		DialContext:           dial.DialContext,
		TLSHandshakeTimeout:   min(timeout, 10*time.Second),
		ResponseHeaderTimeout: timeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
	}
	if roots != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	}
	return &http.Client{Transport: limitBodies{tr, maxResponseBody}, Timeout: timeout, CheckRedirect: sameOrigin}
}

// limitBodies wraps every response body in a limitedBody. MSAL and the
// managed identity client are given this client, so their reads are
// bounded too.
type limitBodies struct {
	next http.RoundTripper
	max  int64
}

func (t limitBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err == nil && resp.Body != nil {
		resp.Body = &limitedBody{ReadCloser: resp.Body, left: t.max}
	}
	return resp, err
}

// limitedBody reads up to left bytes, then fails unless the body ends
// there: a truncated token response must be an error, not a short token.
type limitedBody struct {
	io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		if n, err := b.ReadCloser.Read(one[:]); n == 0 && err != nil {
			return 0, err
		}
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// checkTokenSize refuses a token over maxTokenSize before it is cached.
func checkTokenSize(tok string, r *Resolved) error {
	if len(tok) <= maxTokenSize {
		return nil
	}
	return WithHint(fmt.Errorf("the authority returned a %d-byte token for %s, over azcred's limit of %d bytes; it was not used or cached", len(tok), r.Context.Name, maxTokenSize),
		"check the environment's authority: 'azcred environment list'")
}

// RedirectError is a redirect azcred refused to follow.
type RedirectError struct{ From, To string }

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s redirected to %s, another origin: not followed", e.From, e.To)
}

// sameOrigin follows a redirect only to the same scheme, host and port.
// Token requests carry a client secret, an assertion or a refresh token in
// their body, managed identity requests carry X-IDENTITY-HEADER and
// Resource Manager calls a bearer token; Go re-sends a 307's body and
// every custom header to wherever it points, even to plain http.
func sameOrigin(req *http.Request, via []*http.Request) error {
	from := via[0].URL
	if req.URL.Scheme != from.Scheme || !strings.EqualFold(req.URL.Host, from.Host) {
		return &RedirectError{From: from.Scheme + "://" + from.Host, To: req.URL.Scheme + "://" + req.URL.Host}
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

// directToLinkLocal never sends a link-local address through a proxy:
// IMDS (http://169.254.169.254) answers only on the machine itself and in
// clear text, so a proxy would both fail the request and see the token.
// (Go already keeps loopback, where App Service's endpoint lives, direct.)
func directToLinkLocal(proxy func(*http.Request) (*url.URL, error)) func(*http.Request) (*url.URL, error) {
	return func(req *http.Request) (*url.URL, error) {
		if ip := net.ParseIP(req.URL.Hostname()); ip != nil && ip.IsLinkLocalUnicast() {
			return nil, nil
		}
		return proxy(req)
	}
}
