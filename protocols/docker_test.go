package protocols

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestReadServerURL(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string
	}{
		{name: "bare host", in: "contoso.azurecr.io", want: "contoso.azurecr.io"},
		{name: "trailing newline", in: "contoso.azurecr.io\n", want: "contoso.azurecr.io"},
		{name: "crlf and spaces", in: "  https://index.docker.io/v1/\r\n", want: "https://index.docker.io/v1/"},
		{name: "empty", in: "", wantErr: "no credentials server URL"},
		{name: "blank", in: " \n\t", wantErr: "no credentials server URL"},
		{name: "inner space", in: "contoso azurecr.io", wantErr: "space or control"},
		{name: "two lines", in: "a.io\nb.io\n", wantErr: "space or control"},
		{name: "NUL", in: "a.io\x00", wantErr: "space or control"},
		{name: "huge", in: strings.Repeat("a", MaxServerURL+1), wantErr: "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadServerURL(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrMalformed) {
					t.Fatalf("err = %v, want ErrMalformed containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestNormalizeRegistry(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means an error
	}{
		{"contoso.azurecr.io", "contoso.azurecr.io"},
		{"Contoso.AzureCR.io", "contoso.azurecr.io"},
		{"contoso.azurecr.io/library/app", "contoso.azurecr.io"},
		{"https://contoso.azurecr.io/v2/", "contoso.azurecr.io"},
		{"https://index.docker.io/v1/", "index.docker.io"},
		{"oci://contoso.azurecr.io/charts", "contoso.azurecr.io"},
		{"https://user:FAKE@contoso.azurecr.io", "contoso.azurecr.io"},
		{"contoso.azurecr.io?x=1", "contoso.azurecr.io"},
		{"127.0.0.1:5000", "127.0.0.1:5000"},
		{"127.0.0.1:5000/repo", "127.0.0.1:5000"},
		{"localhost:05000", "localhost:5000"},
		{"[::1]:5000", "[::1]:5000"},
		{"[0:0::1]", "[::1]"},
		{"http://[FE80::1]:80/x", "[fe80::1]:80"},
		{"my-registry.example", "my-registry.example"},
		{"", ""},
		{"/repo", ""},
		{"https://", ""},
		{"host:", ""},
		{"host:0", ""},
		{"host:65536", ""},
		{"host:12a", ""},
		{"host:1:2", ""},
		{"::1", ""},
		{"[::1", ""},
		{"[::1]x", ""},
		{"[127.0.0.1]", ""},
		{"-bad.example", ""},
		{"bad-.example", ""},
		{"a..b", ""},
		{"trailing.dot.", ""},
		{"under_score.example", ""},
		{"ünicode.example", ""},
		{"a b", ""},
		{"1http://h", ""},
		{"host\n", ""},
		{strings.Repeat("a", 64) + ".example", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormalizeRegistry(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("NormalizeRegistry(%q) = %q, want an error", tt.in, got)
				}
				if strings.Contains(err.Error(), "FAKE") || !errors.Is(err, ErrMalformed) {
					t.Errorf("bad error %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NormalizeRegistry(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestReadCredentials(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    DockerCredentials
		wantErr string
	}{
		{
			name: "docker login",
			in:   `{"ServerURL":"contoso.azurecr.io","Username":"00000000-0000-0000-0000-000000000000","Secret":"FAKE-REFRESH-TOKEN"}`,
			want: DockerCredentials{ServerURL: "contoso.azurecr.io", Username: "00000000-0000-0000-0000-000000000000", Secret: "FAKE-REFRESH-TOKEN"},
		},
		{name: "with newline", in: "{\"ServerURL\":\"h\",\"Username\":\"u\"}\n", want: DockerCredentials{ServerURL: "h", Username: "u"}},
		{name: "no server", in: `{"Username":"u","Secret":"FAKE"}`, wantErr: "no credentials server URL"},
		{name: "no username", in: `{"ServerURL":"h","Secret":"FAKE"}`, wantErr: "no credentials username"},
		{name: "truncated", in: `{"ServerURL":"h","Secret":"FAKE-SECRET`, wantErr: "not valid JSON"},
		{name: "trailing garbage", in: `{"ServerURL":"h","Username":"u"} x`, wantErr: "not valid JSON"},
		{name: "binary", in: "\x00\x01\x02", wantErr: "not valid JSON"},
		{name: "empty", in: "", wantErr: "not valid JSON"},
		{name: "huge", in: `{"Secret":"` + strings.Repeat("x", MaxDockerCredentials) + `"}`, wantErr: "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadCredentials(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrMalformed) {
					t.Fatalf("err = %v, want ErrMalformed containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "FAKE-SECRET") {
					t.Errorf("error leaks the secret: %v", err)
				}
				return
			}
			if err != nil || *got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestDockerWriters(t *testing.T) {
	tests := []struct {
		name  string
		write func(*bytes.Buffer) error
		want  string
	}{
		{
			name: "credentials",
			write: func(b *bytes.Buffer) error {
				return WriteCredentials(b, DockerCredentials{ServerURL: "contoso.azurecr.io", Username: "00000000-0000-0000-0000-000000000000", Secret: "FAKE<&>"})
			},
			want: `{"ServerURL":"contoso.azurecr.io","Username":"00000000-0000-0000-0000-000000000000","Secret":"FAKE<&>"}` + "\n",
		},
		{
			name: "list sorted",
			write: func(b *bytes.Buffer) error {
				return WriteList(b, map[string]string{"z.azurecr.io": "u2", "a.azurecr.io": "u1", "127.0.0.1:5000": "u3"})
			},
			want: `{"127.0.0.1:5000":"u3","a.azurecr.io":"u1","z.azurecr.io":"u2"}` + "\n",
		},
		{name: "empty list", write: func(b *bytes.Buffer) error { return WriteList(b, nil) }, want: "{}\n"},
		{
			name:  "not found, wrapped",
			write: func(b *bytes.Buffer) error { return WriteDockerError(b, fmt.Errorf("host x: %w", ErrNotFound)) },
			want:  NotFound + "\n",
		},
		{
			name: "other error on one line",
			write: func(b *bytes.Buffer) error {
				return WriteDockerError(b, errors.New("token request failed:\nhost login.example\r\n"))
			},
			want: "token request failed: host login.example\n",
		},
		{name: "nil error", write: func(b *bytes.Buffer) error { return WriteDockerError(b, nil) }, want: "unknown error\n"},
		{name: "blank error", write: func(b *bytes.Buffer) error { return WriteDockerError(b, errors.New("\n")) }, want: "unknown error\n"},
		{
			name: "version",
			write: func(b *bytes.Buffer) error {
				return WriteDockerVersion(b, "docker-credential-azcred", "github.com/azcred/azcred", "v0.1.0")
			},
			want: "docker-credential-azcred (github.com/azcred/azcred) v0.1.0\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.write(&buf); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("got  %q\nwant %q", buf.String(), tt.want)
			}
		})
	}
}

func TestWriteDockerErrorBounded(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteDockerError(&buf, errors.New(strings.Repeat("é", 5000))); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > maxDockerError+8 || strings.Count(buf.String(), "\n") != 1 || !strings.HasSuffix(buf.String(), "…\n") {
		t.Errorf("unbounded or multi-line: %d bytes", buf.Len())
	}
}

func TestWriteCredentialsRefusesEmptyServer(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCredentials(&buf, DockerCredentials{Secret: "FAKE"}); err == nil || buf.Len() != 0 {
		t.Fatalf("err = %v, wrote %q", err, buf.String())
	}
}

func TestParseDockerAction(t *testing.T) {
	for in, want := range map[string]DockerAction{
		"get": DockerGet, "store": DockerStore, "erase": DockerErase, "list": DockerList, "version": DockerVersion,
		"": DockerUnknown, "Get": DockerUnknown, "login": DockerUnknown,
	} {
		t.Run(in, func(t *testing.T) {
			if got := ParseDockerAction(in); got != want {
				t.Errorf("ParseDockerAction(%q) = %v, want %v", in, got, want)
			}
			if want != DockerUnknown && want.String() != in {
				t.Errorf("String() = %q, want %q", want.String(), in)
			}
		})
	}
}
