package helper

import (
	"fmt"
	"io"
	"net"
	"net/http"
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

// newHTTPClient is the one HTTP client azcred uses: system roots (Go
// honours SSL_CERT_FILE and SSL_CERT_DIR), proxies from the environment,
// a bound on every phase so nothing waits forever, and on every body.
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
	return &http.Client{Transport: limitBodies{tr, maxResponseBody}, Timeout: timeout}
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
