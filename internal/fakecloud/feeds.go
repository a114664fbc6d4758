package fakecloud

// The fake Azure Artifacts feeds: for each org, a Cargo sparse registry and
// a PyPI simple index, at the paths Azure Artifacts uses
// (https://pkgs.dev.azure.com/{org}/_packaging/{feed}/Cargo/index/ and
// .../pypi/simple/). Like the real service they refuse every request
// without an Entra access token for Azure DevOps issued in the org's
// tenant, sent as a Bearer token (cargo) or as the password of HTTP Basic
// with any user name (pip, uv). Cargo's config.json says auth-required, so
// cargo sends the token on every request.
//
// Beside them, under /other/, a Cargo registry that is not Azure: it takes
// only the static token OtherRegistryToken, the way a registry that hands
// out its own tokens would (cargo's cargo:token provider sends it).
//
// Counters: every request counts under "feeds"; a refused one also under
// "feeds-401"; each package download under "feeds-download".

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// OtherRegistryToken is the one token the /other/ registry accepts.
const OtherRegistryToken = "fake-other-registry-token"

// Feeds is a running fake Azure Artifacts.
type Feeds struct {
	URL  string // https://127.0.0.1:PORT
	Host string // 127.0.0.1:PORT

	cloud *Cloud
	mu    sync.Mutex
	orgs  map[string]string // lower-case org -> tenant
	pkgs  map[string]pkg    // file name (.crate, .whl) -> package
}

// pkg is one package file the feeds serve.
type pkg struct {
	name, version string
	data          []byte
	sha256        string // hex
}

// StartFeeds starts the fake feeds. Every org's feeds and the /other/
// registry serve the crate FeedCrate (and /other/ also OtherCrate) and
// the wheel FeedWheel, all version 0.1.0.
func (c *Cloud) StartFeeds() (*Feeds, error) {
	f := &Feeds{cloud: c, orgs: map[string]string{}, pkgs: map[string]pkg{}}
	for _, name := range []string{FeedCrate, OtherCrate} {
		data, err := makeCrate(name, "0.1.0")
		if err != nil {
			return nil, fmt.Errorf("fakecloud: feeds: %w", err)
		}
		f.add(name+"-0.1.0.crate", name, "0.1.0", data)
	}
	whl, err := makeWheel(FeedWheel, "0.1.0")
	if err != nil {
		return nil, fmt.Errorf("fakecloud: feeds: %w", err)
	}
	f.add(FeedWheel+"-0.1.0-py3-none-any.whl", FeedWheel, "0.1.0", whl)
	srv, err := c.Serve("feeds", f)
	if err != nil {
		return nil, fmt.Errorf("fakecloud: feeds: %w", err)
	}
	f.URL, f.Host = srv.URL, srv.Host
	return f, nil
}

// The packages the feeds serve.
const (
	FeedCrate  = "azhello"
	OtherCrate = "othello"
	FeedWheel  = "azhello"
)

func (f *Feeds) add(file, name, version string, data []byte) {
	sum := sha256.Sum256(data)
	f.pkgs[file] = pkg{name: name, version: version, data: data, sha256: hex.EncodeToString(sum[:])}
}

// AddOrg makes an org (in tenant) with one feed of each kind and returns
// the cargo index URL (sparse+https://HOST/{org}/_packaging/{feed}/Cargo/index/)
// and the pip index URL (https://HOST/{org}/_packaging/{feed}/pypi/simple/).
func (f *Feeds) AddOrg(org, feed, tenant string) (cargoIndex, pipIndex string) {
	f.mu.Lock()
	f.orgs[strings.ToLower(org)] = tenant
	f.mu.Unlock()
	base := f.URL + "/" + org + "/_packaging/" + feed
	return "sparse+" + base + "/Cargo/index/", base + "/pypi/simple/"
}

// OtherIndex is the cargo index URL of the non-Azure registry.
func (f *Feeds) OtherIndex() string { return "sparse+" + f.URL + "/other/index/" }

// ServeHTTP routes /{org}/_packaging/{feed}/(Cargo|pypi)/... and /other/....
func (f *Feeds) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if len(parts) >= 2 && parts[0] == "other" {
		if r.Header.Get("Authorization") != OtherRegistryToken {
			f.cloud.Hit("feeds-401")
			w.Header().Set("WWW-Authenticate", `Cargo login_url="https://other.example/me"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		f.cargo(w, r, f.URL+"/other", parts[1:])
		return
	}
	if len(parts) < 5 || parts[1] != "_packaging" {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	tenant, ok := f.orgs[strings.ToLower(parts[0])]
	f.mu.Unlock()
	if !ok {
		http.Error(w, "organization not found", http.StatusNotFound)
		return
	}
	if err := f.authenticate(r, tenant); err != nil {
		f.cloud.Hit("feeds-401")
		h := w.Header()
		h.Add("WWW-Authenticate", "Bearer authorization_uri="+f.cloud.AuthorityURL+"/"+tenant)
		h.Add("WWW-Authenticate", `Basic realm="`+f.URL+`/"`)
		h.Set("X-VSS-ResourceTenant", tenant)
		http.Error(w, "unauthorized: "+err.Error(), http.StatusUnauthorized)
		return
	}
	base := f.URL + "/" + strings.Join(parts[:3], "/")
	switch parts[3] {
	case "Cargo":
		f.cargo(w, r, base+"/Cargo", parts[4:])
	case "pypi":
		f.pypi(w, r, base+"/pypi", parts[4:])
	default:
		http.NotFound(w, r)
	}
}

// authenticate accepts what the real service accepts: an Entra token for
// Azure DevOps from the org's tenant, as Bearer or as a Basic password.
func (f *Feeds) authenticate(r *http.Request, tenant string) error {
	token := ""
	if _, pw, ok := r.BasicAuth(); ok {
		token = pw
	} else if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		token = strings.TrimSpace(t)
	}
	if token == "" {
		return errors.New("no credentials")
	}
	claims, err := f.cloud.Verify(token, DevOpsResource)
	if err != nil {
		return err
	}
	if claims.Tenant != tenant {
		return errors.New("token is for another tenant")
	}
	return nil
}

// cargo serves a sparse registry under base: index/config.json, index
// entries and api/v1/crates/{name}/{version}/download
// (https://doc.rust-lang.org/cargo/reference/registry-index.html).
func (f *Feeds) cargo(w http.ResponseWriter, r *http.Request, base string, rest []string) {
	path := strings.Join(rest, "/")
	switch {
	case path == "index/config.json":
		writeJSON(w, http.StatusOK, map[string]any{"dl": base + "/api/v1/crates", "api": base, "auth-required": true})
		return
	case strings.HasPrefix(path, "index/"):
		name := rest[len(rest)-1]
		p, ok := f.pkgs[name+"-0.1.0.crate"]
		if !ok || path != "index/"+indexPath(name) {
			http.NotFound(w, r)
			return
		}
		line, _ := json.Marshal(map[string]any{"name": p.name, "vers": p.version, "deps": []any{}, "cksum": p.sha256,
			"features": map[string]any{}, "yanked": false})
		w.Write(append(line, '\n')) //nolint:errcheck
		return
	}
	// api/v1/crates/{name}/{version}/download
	if len(rest) == 6 && rest[0] == "api" && rest[1] == "v1" && rest[2] == "crates" && rest[5] == "download" {
		if p, ok := f.pkgs[rest[3]+"-"+rest[4]+".crate"]; ok {
			f.cloud.Hit("feeds-download")
			w.Header().Set("Content-Type", "application/x-tar")
			w.Write(p.data) //nolint:errcheck
			return
		}
	}
	http.NotFound(w, r)
}

// indexPath is a crate's file in the index: 1/a, 2/ab, 3/a/abc, ab/cd/abcd....
func indexPath(name string) string {
	switch len(name) {
	case 1:
		return "1/" + name
	case 2:
		return "2/" + name
	case 3:
		return "3/" + name[:1] + "/" + name
	}
	return name[:2] + "/" + name[2:4] + "/" + name
}

// pypi serves a simple index (PEP 503) under base/simple/ and the files
// under base/packages/.
func (f *Feeds) pypi(w http.ResponseWriter, r *http.Request, base string, rest []string) {
	path := strings.Join(rest, "/")
	switch {
	case path == "simple" || path == "simple/":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<!DOCTYPE html>\n<html><body>\n<a href=\"%s/\">%s</a>\n</body></html>\n", FeedWheel, FeedWheel)
		return
	case len(rest) >= 2 && rest[0] == "simple" && strings.EqualFold(rest[1], FeedWheel):
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintln(w, "<!DOCTYPE html>\n<html><body>")
		for file, p := range f.pkgs {
			if strings.HasSuffix(file, ".whl") {
				fmt.Fprintf(w, "<a href=\"%s/packages/%s#sha256=%s\">%s</a>\n", base, file, p.sha256, file)
			}
		}
		fmt.Fprintln(w, "</body></html>")
		return
	case len(rest) == 2 && rest[0] == "packages":
		if p, ok := f.pkgs[rest[1]]; ok && strings.HasSuffix(rest[1], ".whl") {
			f.cloud.Hit("feeds-download")
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(p.data) //nolint:errcheck
			return
		}
	}
	http.NotFound(w, r)
}

// makeCrate builds a .crate: a gzipped tar of NAME-VERSION/ holding a
// Cargo.toml and an empty library.
func makeCrate(name, version string) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	files := []struct{ name, body string }{
		{"Cargo.toml", fmt.Sprintf("[package]\nname = %q\nversion = %q\nedition = \"2021\"\ndescription = \"fakecloud test crate\"\nlicense = \"MIT\"\n\n[lib]\npath = \"src/lib.rs\"\n", name, version)},
		{"src/lib.rs", "pub fn hello() -> &'static str {\n    \"hello from " + name + "\"\n}\n"},
	}
	for _, fl := range files {
		hdr := &tar.Header{Name: name + "-" + version + "/" + fl.name, Mode: 0o644, Size: int64(len(fl.body)),
			ModTime: time.Unix(1700000000, 0), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write([]byte(fl.body)); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// makeWheel builds a pure-Python wheel (PEP 427) with a package NAME whose
// __init__ defines hello(), and a correct RECORD.
func makeWheel(name, version string) ([]byte, error) {
	dist := name + "-" + version + ".dist-info"
	files := []struct{ name, body string }{
		{name + "/__init__.py", "def hello():\n    return \"hello from " + name + "\"\n"},
		{dist + "/METADATA", "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\nSummary: fakecloud test wheel\n"},
		{dist + "/WHEEL", "Wheel-Version: 1.0\nGenerator: fakecloud\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var record strings.Builder
	for _, fl := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fl.name, Method: zip.Deflate, Modified: time.Unix(1700000000, 0)})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(fl.body)); err != nil {
			return nil, err
		}
		sum := sha256.Sum256([]byte(fl.body))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", fl.name, base64.RawURLEncoding.EncodeToString(sum[:]), len(fl.body))
	}
	record.WriteString(dist + "/RECORD,,\n")
	w, err := zw.CreateHeader(&zip.FileHeader{Name: dist + "/RECORD", Method: zip.Deflate, Modified: time.Unix(1700000000, 0)})
	if err != nil {
		return nil, err
	}
	if _, err := w.Write([]byte(record.String())); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
