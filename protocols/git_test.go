package protocols

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

const fakeToken = "FAKE-TOKEN-not-a-real-jwt"

func TestReadGitRequest(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    *GitRequest
		wantErr string // substring; "" means success
	}{
		{name: "empty input", in: "", want: &GitRequest{}},
		{
			name: "basic",
			in:   "protocol=https\nhost=dev.azure.com\npath=contoso/web\n",
			want: &GitRequest{Protocol: "https", Host: "dev.azure.com", Path: "contoso/web"},
		},
		{
			name: "no final newline",
			in:   "protocol=https\nhost=example.com:8088",
			want: &GitRequest{Protocol: "https", Host: "example.com:8088"},
		},
		{
			name: "crlf",
			in:   "protocol=https\r\nhost=dev.azure.com\r\n",
			want: &GitRequest{Protocol: "https", Host: "dev.azure.com"},
		},
		{
			name: "blank line ends the request",
			in:   "protocol=https\nhost=a.example\n\nhost=b.example\nnot a pair\n",
			want: &GitRequest{Protocol: "https", Host: "a.example"},
		},
		{
			name: "unknown keys ignored, last single value wins",
			in:   "protocol=http\nfuture_key=whatever\nprotocol=https\n=novalue\nhost=h\n",
			want: &GitRequest{Protocol: "https", Host: "h"},
		},
		{
			name: "value keeps '=' and spaces",
			in:   "host=h\nwwwauth[]=Basic realm=\"a b\"\n",
			want: &GitRequest{Host: "h", WWWAuth: []string{`Basic realm="a b"`}},
		},
		{
			name: "empty list value resets the list",
			in:   "wwwauth[]=a\nwwwauth[]=\nwwwauth[]=b\ncapability[]=authtype\ncapability[]=\nstate[]=x\n",
			want: &GitRequest{WWWAuth: []string{"b"}, State: []string{"x"}},
		},
		{
			name: "bearer store fields",
			in:   "capability[]=authtype\nauthtype=Bearer\ncredential=" + fakeToken + "\nephemeral=1\noauth_refresh_token=FAKE-REFRESH\npassword_expiry_utc=1700000000\n",
			want: &GitRequest{
				Capabilities: []string{"authtype"}, AuthType: "Bearer", Credential: fakeToken, Ephemeral: true,
				OAuthRefreshToken: "FAKE-REFRESH", PasswordExpiryUTC: "1700000000",
			},
		},
		{name: "ephemeral=true", in: "ephemeral=true\n", want: &GitRequest{Ephemeral: true}},
		{name: "ephemeral=0", in: "ephemeral=0\n", want: &GitRequest{}},
		{
			name: "url split",
			in:   "url=https://user%40corp:FAKE%3Apw@dev.azure.com:443//contoso/web%20app//\n",
			want: &GitRequest{
				Protocol: "https", Host: "dev.azure.com:443", Path: "contoso/web app",
				Username: "user@corp", Password: "FAKE:pw",
				URL: "https://user%40corp:FAKE%3Apw@dev.azure.com:443//contoso/web%20app//",
			},
		},
		{
			name: "url username only",
			in:   "url=https://contoso@dev.azure.com\n",
			want: &GitRequest{Protocol: "https", Host: "dev.azure.com", Username: "contoso", URL: "https://contoso@dev.azure.com"},
		},
		{
			name: "url query ends the host, '@' after it is path",
			in:   "url=https://h?x=@y\n",
			want: &GitRequest{Protocol: "https", Host: "h", Path: "?x=@y", URL: "https://h?x=@y"},
		},
		{
			name: "url without host",
			in:   "url=cert:///etc/cert.pem\n",
			want: &GitRequest{Protocol: "cert", Path: "etc/cert.pem", URL: "cert:///etc/cert.pem"},
		},
		{
			name: "url resets URL parts given before it, later lines override",
			in:   "capability[]=authtype\nhost=old\npath=old\nurl=https://new\nusername=later\n",
			want: &GitRequest{Capabilities: []string{"authtype"}, Protocol: "https", Host: "new", Username: "later", URL: "https://new"},
		},
		{
			name: "stray percent kept",
			in:   "url=https://h/a%zz%4\n",
			want: &GitRequest{Protocol: "https", Host: "h", Path: "a%zz%4", URL: "https://h/a%zz%4"},
		},
		{name: "line without '='", in: "protocol=https\ngarbage\n", wantErr: "line 2 is not key=value"},
		{name: "NUL byte", in: "protocol=https\nhost=a\x00b\n", wantErr: "line 2 contains a NUL byte"},
		{name: "url without scheme", in: "url=dev.azure.com/x\n", wantErr: "url has no scheme"},
		{name: "url empty scheme", in: "url=://h\n", wantErr: "url has no scheme"},
		{name: "url encoded newline", in: "url=https://h/a%0Ab\n", wantErr: "control character in its path"},
		{name: "url encoded NUL in password", in: "url=https://u:p%00w@h\n", wantErr: "control character in its password"},
		{name: "too large", in: strings.Repeat("k=v\n", MaxGitRequest/4+1), wantErr: "larger than"},
		{name: "one huge line", in: "password=" + strings.Repeat("x", MaxGitRequest), wantErr: "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadGitRequest(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("err = %v, want errors.Is(err, ErrMalformed)", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestReadGitRequestExactlyAtLimit(t *testing.T) {
	in := "password=" + strings.Repeat("x", MaxGitRequest-len("password=\n")) + "\n"
	if len(in) != MaxGitRequest {
		t.Fatalf("test input is %d bytes", len(in))
	}
	if _, err := ReadGitRequest(strings.NewReader(in)); err != nil {
		t.Fatalf("a request of exactly MaxGitRequest bytes: %v", err)
	}
}

func TestReadGitRequestReadError(t *testing.T) {
	boom := errors.New("boom")
	_, err := ReadGitRequest(io.MultiReader(strings.NewReader("host=h\n"), iotest.ErrReader(boom)))
	if !errors.Is(err, boom) || errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v, want the read error and not ErrMalformed", err)
	}
}

// A blank line ends the request: the reader must not wait for EOF, or a
// caller that keeps stdin open would hang us.
func TestReadGitRequestStopsAtBlankLine(t *testing.T) {
	r := io.MultiReader(strings.NewReader("protocol=https\nhost=h\n\n"), blockingReader{t})
	got, err := ReadGitRequest(r)
	if err != nil || got.Host != "h" {
		t.Fatalf("got %+v, %v", got, err)
	}
}

type blockingReader struct{ t *testing.T }

func (b blockingReader) Read([]byte) (int, error) {
	b.t.Fatal("read past the blank line")
	return 0, io.EOF
}

func TestGitErrorsNeverContainSecrets(t *testing.T) {
	secret := "FAKE-SECRET-must-not-leak"
	inputs := []string{
		"password=" + secret + "\nno equals " + secret + "\n",
		"url=" + secret + "\n",
		"url=https://u:" + secret + "%0A@h\n",
		"password=" + secret + "\x00\n",
		"password=" + secret + strings.Repeat("x", MaxGitRequest),
	}
	for _, in := range inputs {
		_, err := ReadGitRequest(strings.NewReader(in))
		if err == nil {
			t.Fatalf("input %q: no error", in[:20])
		}
		if strings.Contains(err.Error(), "FAKE-SECRET") {
			t.Errorf("error leaks the secret: %v", err)
		}
	}
	var buf bytes.Buffer
	err := WriteGitReply(&buf, GitReply{Username: "u", Password: secret + "\n"})
	if err == nil || strings.Contains(err.Error(), "FAKE-SECRET") || buf.Len() != 0 {
		t.Errorf("bad reply: err=%v, wrote %q", err, buf.String())
	}
}

func TestGitTranscripts(t *testing.T) {
	const path = "contoso/web/_git/web"
	const tenantURI = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555"
	tests := []struct {
		file       string
		action     GitAction
		target     string
		authtype   bool   // git offered capability[]=authtype
		authority  string // from wwwauth[]
		wantFields func(*GitRequest) bool
	}{
		{file: "git-2.39-get.txt", action: GitGet, target: "https://dev.azure.com/" + path},
		{file: "git-2.39-get-username.txt", action: GitGet, target: "https://dev.azure.com",
			wantFields: func(r *GitRequest) bool { return r.Username == "contoso" }},
		{file: "git-2.39-store.txt", action: GitStore, target: "https://dev.azure.com/" + path,
			wantFields: func(r *GitRequest) bool { return r.Password == fakeToken }},
		{file: "git-2.39-erase.txt", action: GitErase, target: "https://dev.azure.com/" + path},
		{file: "git-2.41-get-wwwauth.txt", action: GitGet, target: "https://dev.azure.com", authority: tenantURI,
			wantFields: func(r *GitRequest) bool { return len(r.WWWAuth) == 3 }},
		{file: "git-2.41-store-expiry.txt", action: GitStore, target: "https://dev.azure.com",
			wantFields: func(r *GitRequest) bool { return r.PasswordExpiryUTC == "1767225600" }},
		{file: "git-2.46-get-capability.txt", action: GitGet, target: "https://dev.azure.com/" + path, authtype: true, authority: tenantURI},
		{file: "git-2.46-store-bearer.txt", action: GitStore, target: "https://dev.azure.com/" + path, authtype: true,
			wantFields: func(r *GitRequest) bool {
				return r.AuthType == "Bearer" && r.Credential == fakeToken && r.Ephemeral && r.Password == ""
			}},
		{file: "git-2.46-erase-bearer.txt", action: GitErase, target: "https://dev.azure.com/" + path, authtype: true},
		{file: "windows-crlf.txt", action: GitGet, target: "https://dev.azure.com/" + path},
		{file: "git-credential-fill-url.txt", action: GitGet, target: "https://dev.azure.com/contoso/web/_git/web app",
			wantFields: func(r *GitRequest) bool { return r.Username == "contoso" && r.Password == "FAKE-PASSWORD" }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "git", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			req, err := ReadGitRequest(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := req.Validate(tt.action); err != nil {
				t.Errorf("Validate(%v): %v", tt.action, err)
			}
			got := req.Protocol + "://" + req.Host
			if req.Path != "" {
				got += "/" + req.Path
			}
			if got != tt.target {
				t.Errorf("protocol://host/path = %q, want %q", got, tt.target)
			}
			if got := req.Has(GitCapabilityAuthType); got != tt.authtype {
				t.Errorf("Has(authtype) = %v, want %v", got, tt.authtype)
			}
			uri, ok := ParseBearerChallenge(req.WWWAuth)
			if uri != tt.authority || ok != (tt.authority != "") {
				t.Errorf("ParseBearerChallenge = %q, %v; want %q", uri, ok, tt.authority)
			}
			if tt.wantFields != nil && !tt.wantFields(req) {
				t.Errorf("unexpected fields: %+v", req)
			}
		})
	}
}

func TestGitRequestValidate(t *testing.T) {
	tests := []struct {
		name   string
		req    GitRequest
		action GitAction
		ok     bool
	}{
		{"get complete", GitRequest{Protocol: "https", Host: "h"}, GitGet, true},
		{"get no host", GitRequest{Protocol: "https"}, GitGet, false},
		{"erase no host", GitRequest{Protocol: "https"}, GitErase, false},
		{"get no protocol", GitRequest{Host: "h"}, GitGet, false},
		{"store no host is not our problem", GitRequest{}, GitStore, true},
		{"unknown action", GitRequest{}, GitUnknown, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.Validate(tt.action)
			if (err == nil) != tt.ok {
				t.Fatalf("Validate = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrMalformed) {
				t.Errorf("err %v is not ErrMalformed", err)
			}
		})
	}
}

func TestParseGitAction(t *testing.T) {
	for in, want := range map[string]GitAction{
		"get": GitGet, "store": GitStore, "erase": GitErase, "capability": GitCapability,
		"GET": GitUnknown, "": GitUnknown, "fill": GitUnknown, "approve": GitUnknown,
	} {
		t.Run(in, func(t *testing.T) {
			if got := ParseGitAction(in); got != want {
				t.Errorf("ParseGitAction(%q) = %v, want %v", in, got, want)
			}
		})
	}
}

func TestParseBearerChallenge(t *testing.T) {
	const uri = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555"
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"azure devops unquoted", []string{"Bearer authorization_uri=" + uri}, uri},
		{"quoted", []string{`Bearer authorization_uri="` + uri + `"`}, uri},
		{"case-insensitive scheme and name", []string{"bEaReR Authorization_URI=" + uri}, uri},
		{"several params", []string{`Bearer realm="", error="invalid_token", authorization_uri="` + uri + `", resource_id=x`}, uri},
		{"spaces around =", []string{"Bearer authorization_uri = " + uri}, uri},
		{"second challenge in one value", []string{`Basic realm="https://dev.azure.com/", Bearer authorization_uri=` + uri}, uri},
		{"second header", []string{`Basic realm="x"`, "TFS-Federated", "Bearer authorization_uri=" + uri}, uri},
		{"escaped quote", []string{`Bearer authorization_uri="https://x/a\"b"`}, `https://x/a"b`},
		{"param of another scheme", []string{"Basic authorization_uri=" + uri}, ""},
		{"bearer without the param", []string{`Bearer realm="x"`}, ""},
		{"empty value", []string{`Bearer authorization_uri=""`}, ""},
		{"nothing", nil, ""},
		{"garbage", []string{`"=,,= ""\`, "Bearer", "=", `Bearer authorization_uri="unterminated`}, "unterminated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseBearerChallenge(tt.in)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("ParseBearerChallenge = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}

func TestWriteGitReply(t *testing.T) {
	expiry := time.Unix(1767225600, 0)
	tests := []struct {
		name    string
		rep     GitReply
		want    string
		wantErr bool
	}{
		{
			name: "plain",
			rep:  GitReply{Username: "azcred", Password: fakeToken},
			want: "username=azcred\npassword=" + fakeToken + "\n",
		},
		{
			name: "plain with expiry, any time zone",
			rep:  GitReply{Username: "azcred", Password: fakeToken, Expiry: expiry.In(time.FixedZone("x", 3600))},
			want: "username=azcred\npassword=" + fakeToken + "\npassword_expiry_utc=1767225600\n",
		},
		{
			name: "bearer",
			rep:  GitReply{Username: "azcred", Password: fakeToken, Expiry: expiry, Bearer: true},
			want: "capability[]=authtype\nauthtype=Bearer\ncredential=" + fakeToken + "\nephemeral=1\npassword_expiry_utc=1767225600\n",
		},
		{name: "newline in token", rep: GitReply{Username: "u", Password: "FAKE\nhost=evil"}, wantErr: true},
		{name: "CR in username", rep: GitReply{Username: "u\r", Password: "FAKE"}, wantErr: true},
		{name: "NUL in bearer token", rep: GitReply{Password: "FAKE\x00", Bearer: true}, wantErr: true},
		{name: "no password", rep: GitReply{Username: "u"}, wantErr: true},
		{name: "no username", rep: GitReply{Password: "FAKE"}, wantErr: true},
		{name: "expiry before 1970", rep: GitReply{Username: "u", Password: "FAKE", Expiry: time.Unix(-5, 0)}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteGitReply(&buf, tt.rep)
			if tt.wantErr {
				if err == nil || buf.Len() != 0 {
					t.Fatalf("err = %v, wrote %q; want an error and no output", err, buf.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", buf.String(), tt.want)
			}
		})
	}
}

// git reads our reply with the same parser rules; a reply must parse back to
// what we meant.
func TestGitReplyReadsBack(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteGitReply(&buf, GitReply{Password: fakeToken, Expiry: time.Unix(1767225600, 0), Bearer: true}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadGitRequest(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want := &GitRequest{
		Capabilities: []string{"authtype"}, AuthType: "Bearer", Credential: fakeToken,
		Ephemeral: true, PasswordExpiryUTC: "1767225600",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestWriteGitCapabilities(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteGitCapabilities(&buf); err != nil {
		t.Fatal(err)
	}
	if want := "version 0\ncapability authtype\n"; buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

func TestWriteGitRequestRoundTrip(t *testing.T) {
	req := &GitRequest{
		Protocol: "https", Host: "dev.azure.com", Path: "o/p", Username: "u", Password: "FAKE",
		WWWAuth: []string{"Bearer x", "Basic y"}, Capabilities: []string{"authtype", "state"}, State: []string{"azcred:1"},
		PasswordExpiryUTC: "1", OAuthRefreshToken: "FAKE-R", AuthType: "Bearer", Credential: "FAKE-C", Ephemeral: true,
	}
	var buf bytes.Buffer
	if err := WriteGitRequest(&buf, req); err != nil {
		t.Fatal(err)
	}
	got, err := ReadGitRequest(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, req) {
		t.Errorf("got  %+v\nwant %+v", got, req)
	}
}

func TestWriteGitQuit(t *testing.T) {
	var b strings.Builder
	if err := WriteGitQuit(&b); err != nil || b.String() != "quit=1\n" {
		t.Errorf("WriteGitQuit wrote %q, %v", b.String(), err)
	}
}
