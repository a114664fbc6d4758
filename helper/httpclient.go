package helper

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// newHTTPClient is the one HTTP client azcred uses: system roots (Go
// honours SSL_CERT_FILE and SSL_CERT_DIR), proxies from the environment,
// a bound on every phase so nothing waits forever, and redirects only
// within one origin (see sameOrigin).
func newHTTPClient(timeout time.Duration) *http.Client { return newHTTPClientTrusting(timeout, nil) }

// newHTTPClientTrusting is newHTTPClient with roots instead of the
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
	return &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: sameOrigin}
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
