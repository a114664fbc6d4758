package helper

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// newHTTPClient is the one HTTP client azcred uses: system roots (Go
// honours SSL_CERT_FILE and SSL_CERT_DIR), proxies from the environment,
// a bound on every phase so nothing waits forever, and redirects only
// within one origin (see sameOrigin).
func newHTTPClient(timeout time.Duration) *http.Client {
	dial := &net.Dialer{Timeout: min(timeout, 10*time.Second), KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dial.DialContext,
		TLSHandshakeTimeout:   min(timeout, 10*time.Second),
		ResponseHeaderTimeout: timeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
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
	if req.URL.Scheme != from.Scheme || req.URL.Host != from.Host {
		return &RedirectError{From: from.Scheme + "://" + from.Host, To: req.URL.Scheme + "://" + req.URL.Host}
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}
