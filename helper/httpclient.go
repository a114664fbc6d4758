package helper

import (
	"net"
	"net/http"
	"time"
)

// newHTTPClient is the one HTTP client azcred uses: system roots (Go
// honours SSL_CERT_FILE and SSL_CERT_DIR), proxies from the environment,
// and a bound on every phase so nothing waits forever.
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
	return &http.Client{Transport: tr, Timeout: timeout}
}
