package fakecloud

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// Options configure Start. The zero value is usable.
type Options struct {
	// Dir receives ca.pem and is handed to services as scratch space (Cloud.Dir). Empty means a
	// fresh temporary directory that Close removes.
	Dir string
	// TokenLifetime is the lifetime of issued access tokens; zero means one hour.
	TokenLifetime time.Duration
}

// Cloud is a running fake. Its exported fields are fixed after Start.
type Cloud struct {
	// AuthorityURL is the Entra ID base URL (https://127.0.0.1:PORT); the authority for a
	// tenant is AuthorityURL + "/" + tenant.
	AuthorityURL string
	// ARMURL is the Resource Manager base URL.
	ARMURL string
	// MSIURL is the App Service managed identity endpoint (IDENTITY_ENDPOINT).
	MSIURL string
	// MSIHeader is the secret the managed identity endpoint expects in X-IDENTITY-HEADER.
	MSIHeader string
	// CAFile is the PEM file of the CA that signed every server certificate.
	CAFile string

	dir      string
	ownDir   bool
	ca       *authority
	signKey  *rsa.PrivateKey
	keyID    string
	done     chan struct{} // closed by Close; releases hung requests
	closeOne sync.Once

	mu       sync.Mutex
	servers  []*http.Server
	named    map[string]*Server
	counts   map[string]int
	faults   map[string]*Fault
	secrets  []string
	lifetime time.Duration
	dirState directory
}

// Server is one TLS listener of the cloud.
type Server struct {
	URL  string // https://127.0.0.1:PORT
	Host string // 127.0.0.1:PORT
}

// Start generates the CA and signing key and starts the Entra ID, Resource Manager and
// managed identity listeners.
func Start(opts Options) (*Cloud, error) {
	c := &Cloud{
		dir:      opts.Dir,
		done:     make(chan struct{}),
		named:    map[string]*Server{},
		counts:   map[string]int{},
		faults:   map[string]*Fault{},
		lifetime: opts.TokenLifetime,
		dirState: newDirectory(),
	}
	if c.lifetime <= 0 {
		c.lifetime = time.Hour
	}
	if c.dir == "" {
		d, err := os.MkdirTemp("", "fakecloud-")
		if err != nil {
			return nil, fmt.Errorf("fakecloud: scratch dir: %w", err)
		}
		c.dir, c.ownDir = d, true
	}
	var err error
	if c.ca, err = newAuthority(); err != nil {
		return nil, err
	}
	c.CAFile = filepath.Join(c.dir, "ca.pem")
	if err := os.WriteFile(c.CAFile, c.ca.certPEM, 0o644); err != nil {
		return nil, fmt.Errorf("fakecloud: write ca: %w", err)
	}
	if c.signKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return nil, fmt.Errorf("fakecloud: signing key: %w", err)
	}
	c.keyID = "fakecloud-" + randomHex(8)
	c.MSIHeader = "fakecloud-msi-header-" + randomHex(16)
	c.record(c.MSIHeader)

	for _, s := range []struct {
		url *string
		h   http.Handler
	}{
		{&c.AuthorityURL, c.entraHandler()},
		{&c.ARMURL, c.armHandler()},
		{&c.MSIURL, c.msiHandler()},
	} {
		srv, err := c.listen(s.h)
		if err != nil {
			c.Close()
			return nil, err
		}
		*s.url = srv.URL
	}
	c.MSIURL += msiPath
	return c, nil
}

// Serve starts another TLS listener on 127.0.0.1:0 with the cloud's CA-signed certificate,
// serving h; every request is counted under name and subject to SetFault(name, ...).
// Servers are closed by Close.
func (c *Cloud) Serve(name string, h http.Handler) (*Server, error) {
	srv, err := c.listen(c.service(name, h))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.named[name] = srv
	c.mu.Unlock()
	return srv, nil
}

// Servers maps the name given to Serve to the server's base URL (for the standalone process's
// description file).
func (c *Cloud) Servers() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]string, len(c.named))
	for name, s := range c.named {
		m[name] = s.URL
	}
	return m
}

func (c *Cloud) listen(h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakecloud: listen: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{c.ca.leaf}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		// Clients that do not trust the CA make the server log handshake errors; tests
		// provoke that on purpose, so keep it quiet.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	c.mu.Lock()
	select {
	case <-c.done:
		c.mu.Unlock()
		ln.Close()
		return nil, errors.New("fakecloud: closed")
	default:
	}
	c.servers = append(c.servers, srv)
	c.mu.Unlock()
	go srv.ServeTLS(ln, "", "") //nolint:errcheck // returns ErrServerClosed on Close
	host := ln.Addr().String()
	return &Server{URL: "https://" + host, Host: host}, nil
}

// Close stops every listener, releases hung requests and removes the scratch directory if
// Start made it. It does not wait for handlers to return.
func (c *Cloud) Close() {
	c.closeOne.Do(func() {
		close(c.done)
		c.mu.Lock()
		servers := c.servers
		c.mu.Unlock()
		for _, s := range servers {
			s.Close()
		}
		if c.ownDir {
			os.RemoveAll(c.dir)
		}
	})
}

// Dir is the scratch directory (Options.Dir or the temporary one).
func (c *Cloud) Dir() string { return c.dir }

// CAPool returns a pool holding only the cloud's CA.
func (c *Cloud) CAPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.ca.cert)
	return p
}

// HTTPClient returns a client that trusts the cloud's CA and does not follow redirects
// further than the standard library does.
func (c *Cloud) HTTPClient() *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: c.CAPool(), MinVersion: tls.VersionTLS12},
		},
	}
}

// SetTokenLifetime changes the lifetime of tokens issued from now on.
func (c *Cloud) SetTokenLifetime(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lifetime = d
}

func (c *Cloud) tokenLifetime() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lifetime
}

// IssuedSecrets returns every secret value the cloud issued or was given (tokens, refresh
// tokens, codes, client secrets, private keys, the MSI header), so a test can check that none
// of them appears in logs or error output.
func (c *Cloud) IssuedSecrets() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]string(nil), c.secrets...)
	sort.Strings(out)
	return out
}

func (c *Cloud) record(secret string) {
	if secret == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.secrets = append(c.secrets, secret)
}
