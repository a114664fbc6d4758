package protocols

// Fuzz tests, one per parser. Seeds live in testdata/fuzz/<FuzzName>/ and
// run with every `go test`; `go test -fuzz=FuzzName ./protocols` explores.
// Each asserts invariants, not just "no panic": bounded, single-line errors;
// parse → write → parse round trips; idempotent normalisation.

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// checkError asserts the shape every error of this package must have.
func checkError(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r\x00") {
		t.Fatalf("error is not one line: %q", msg)
	}
	if len(msg) > 400 {
		t.Fatalf("error is %d bytes long", len(msg))
	}
}

func addGitTranscripts(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "git", "*.txt"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzReadGitRequest(f *testing.F) {
	addGitTranscripts(f)
	f.Add([]byte("url=https://u:p@h:1/a%2Fb/?q#f\nwwwauth[]=\n"))
	f.Add([]byte("protocol=https\nhost=h\x00\n"))
	f.Add([]byte("no-equals\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		req, err := ReadGitRequest(bytes.NewReader(in))
		if err != nil {
			checkError(t, err)
			if pw := passwordValue(in); len(pw) >= 8 && strings.Contains(err.Error(), pw) {
				t.Fatalf("error %q contains the password", err)
			}
			return
		}
		for _, v := range req.WWWAuth {
			if v == "" {
				t.Fatal("empty list entry survived")
			}
		}
		var buf bytes.Buffer
		if err := WriteGitRequest(&buf, req); err != nil {
			t.Fatalf("a parsed request does not write back: %v", err)
		}
		if buf.Len() > MaxGitRequest+512 {
			t.Fatalf("wrote %d bytes from %d", buf.Len(), len(in))
		}
		// The raw url= is not written back, only its parts.
		want := *req
		want.URL = ""
		again, err := ReadGitRequest(&buf)
		if err != nil {
			t.Fatalf("written request does not read back: %v\n%q", err, buf.String())
		}
		if !reflect.DeepEqual(*again, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", again, want)
		}
		_, _ = ParseBearerChallenge(req.WWWAuth)
	})
}

// passwordValue returns the value of the first password= line of in.
func passwordValue(in []byte) string {
	for line := range strings.SplitSeq(string(in), "\n") {
		if v, ok := strings.CutPrefix(line, "password="); ok {
			return strings.TrimSuffix(v, "\r")
		}
	}
	return ""
}

func FuzzParseBearerChallenge(f *testing.F) {
	f.Add("Bearer authorization_uri=https://login.microsoftonline.com/t")
	f.Add(`Basic realm="x", Bearer authorization_uri="https://a/\"b"`)
	f.Add(`"=,,= ""\`)
	f.Fuzz(func(t *testing.T, h string) {
		uri, ok := ParseBearerChallenge([]string{h})
		if ok != (uri != "") {
			t.Fatalf("ok=%v with uri %q", ok, uri)
		}
		if len(uri) > len(h) {
			t.Fatalf("uri %q longer than its header", uri)
		}
	})
}

func FuzzParseExecInfo(f *testing.F) {
	f.Add(`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}`)
	f.Add(`{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{"cluster":{"server":"https://127.0.0.1:6443","certificate-authority-data":"AAAA","config":{"a":1}},"interactive":true}}`)
	f.Add(`{"apiVersion":"client.authentication.k8s.io/v1alpha1","kind":"ExecCredential"}`)
	f.Add(`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCred`)
	f.Add("")
	f.Fuzz(func(t *testing.T, env string) {
		ec, err := ParseExecInfo(env)
		if err != nil {
			checkError(t, err)
			return
		}
		if ec.Kind != "ExecCredential" {
			t.Fatalf("kind %q accepted", ec.Kind)
		}
		var buf bytes.Buffer
		expiry := time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC)
		if err := WriteExecCredential(&buf, ec.APIVersion, fakeToken, expiry); err != nil {
			t.Fatalf("cannot answer accepted apiVersion %q: %v", ec.APIVersion, err)
		}
		back, err := ParseExecInfo(buf.String())
		if err != nil {
			t.Fatalf("our answer does not parse: %v\n%s", err, buf.String())
		}
		if back.APIVersion != ec.APIVersion || back.Status == nil || back.Status.Token != fakeToken ||
			back.Status.ExpirationTimestamp == nil || !back.Status.ExpirationTimestamp.Equal(expiry.Truncate(time.Second)) {
			t.Fatalf("answer does not round trip: %s", buf.String())
		}
	})
}

func FuzzReadServerURL(f *testing.F) {
	for _, s := range []string{
		"contoso.azurecr.io", "https://contoso.azurecr.io/v2/", "contoso.azurecr.io/library/app\n",
		"127.0.0.1:5000", "[::1]:5000", "https://index.docker.io/v1/", "user:FAKE@host", " \n", "a b", "\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := ReadServerURL(bytes.NewReader(in))
		if err != nil {
			checkError(t, err)
			return
		}
		if s == "" || len(s) > MaxServerURL || strings.ContainsFunc(s, func(r rune) bool { return r == ' ' || isControl(r) }) {
			t.Fatalf("accepted %q", s)
		}
		host, err := NormalizeRegistry(s)
		if err != nil {
			checkError(t, err)
			return
		}
		if host == "" || strings.ContainsAny(host, "/@?# ") || strings.ToLower(host) != host || !utf8.ValidString(host) {
			t.Fatalf("NormalizeRegistry(%q) = %q", s, host)
		}
		again, err := NormalizeRegistry(host)
		if err != nil || again != host {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", s, host, again, err)
		}
	})
}

func FuzzReadCredentials(f *testing.F) {
	f.Add([]byte(`{"ServerURL":"contoso.azurecr.io","Username":"00000000-0000-0000-0000-000000000000","Secret":"FAKE-REFRESH-TOKEN"}`))
	f.Add([]byte(`{"ServerURL":"h","Username":"u","Secret":""} trailing`))
	f.Add([]byte(`{"ServerURL":"h"}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"ServerURL":"h","Username":"u","Secret":"\u0000\ud800"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := ReadCredentials(bytes.NewReader(in))
		if err != nil {
			checkError(t, err)
			return
		}
		if c.ServerURL == "" || c.Username == "" {
			t.Fatalf("accepted %+v", c)
		}
		var buf bytes.Buffer
		if err := WriteCredentials(&buf, *c); err != nil {
			t.Fatal(err)
		}
		back, err := ReadCredentials(&buf)
		if err != nil {
			t.Fatalf("our output does not read back: %v", err)
		}
		if *back != *c {
			t.Fatalf("round trip: got %+v, want %+v", back, c)
		}
	})
}
