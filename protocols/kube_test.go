package protocols

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseExecInfo(t *testing.T) {
	tests := []struct {
		name    string
		env     string
		want    *ExecCredential
		wantErr string
	}{
		{
			name: "absent means v1beta1, not interactive",
			env:  "",
			want: &ExecCredential{APIVersion: KubeAPIVersionV1beta1, Kind: "ExecCredential"},
		},
		{
			name: "whitespace is absent too",
			env:  " \n",
			want: &ExecCredential{APIVersion: KubeAPIVersionV1beta1, Kind: "ExecCredential"},
		},
		{
			name: "v1 as kubectl sends it",
			env:  `{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":true}}`,
			want: &ExecCredential{APIVersion: KubeAPIVersionV1, Kind: "ExecCredential", Spec: ExecCredentialSpec{Interactive: true}},
		},
		{
			name: "v1beta1 with provideClusterInfo",
			env: `{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"cluster":{` +
				`"server":"https://aks.example:443","tls-server-name":"aks","insecure-skip-tls-verify":true,` +
				`"certificate-authority-data":"Q0E=","proxy-url":"http://proxy:3128","disable-compression":true,` +
				`"config":{"audience":"6dae42f8"}},"interactive":false},"unknownField":1}`,
			want: &ExecCredential{APIVersion: KubeAPIVersionV1beta1, Kind: "ExecCredential", Spec: ExecCredentialSpec{
				Cluster: &Cluster{
					Server: "https://aks.example:443", TLSServerName: "aks", InsecureSkipTLSVerify: true,
					CertificateAuthorityData: []byte("CA"), ProxyURL: "http://proxy:3128", DisableCompression: true,
					Config: json.RawMessage(`{"audience":"6dae42f8"}`),
				},
			}},
		},
		{name: "v1alpha1 is refused by name", env: `{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1"}`,
			wantErr: `unsupported apiVersion "client.authentication.k8s.io/v1alpha1"`},
		{name: "other api", env: `{"kind":"ExecCredential","apiVersion":"v1"}`, wantErr: `unsupported apiVersion "v1"`},
		{name: "no apiVersion", env: `{"kind":"ExecCredential"}`, wantErr: "has no apiVersion"},
		{name: "wrong kind", env: `{"kind":"Pod","apiVersion":"client.authentication.k8s.io/v1"}`, wantErr: `has kind "Pod"`},
		{name: "no kind", env: `{"apiVersion":"client.authentication.k8s.io/v1"}`, wantErr: `has kind ""`},
		{name: "truncated", env: `{"kind":"ExecCredential","apiVer`, wantErr: "not a valid ExecCredential"},
		{name: "garbage", env: "\x00\xff garbage", wantErr: "not a valid ExecCredential"},
		{name: "trailing data", env: `{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1"} {}`, wantErr: "not a valid"},
		{name: "wrong type", env: `{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":"yes"}}`, wantErr: "not a valid"},
		{name: "array", env: `[]`, wantErr: "not a valid"},
		{name: "too large", env: `{"kind":"` + strings.Repeat("x", MaxExecInfo) + `"}`, wantErr: "larger than"},
		{name: "version with newline stays one line", env: `{"kind":"ExecCredential","apiVersion":"a\nb"}`, wantErr: `"a b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseExecInfo(tt.env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if !errors.Is(err, ErrMalformed) || strings.Contains(err.Error(), "\n") {
					t.Errorf("err %q: want one line wrapping ErrMalformed", err)
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

func TestWriteExecCredential(t *testing.T) {
	expiry := time.Date(2030, 1, 2, 3, 4, 5, 999, time.FixedZone("CET", 3600))
	tests := []struct {
		name       string
		apiVersion string
		token      string
		expiry     time.Time
		want       string
		wantErr    bool
	}{
		{
			name: "v1", apiVersion: KubeAPIVersionV1, token: fakeToken, expiry: expiry,
			want: `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"expirationTimestamp":"2030-01-02T02:04:05Z","token":"` + fakeToken + `"}}` + "\n",
		},
		{
			name: "empty apiVersion answers v1beta1", apiVersion: "", token: fakeToken, expiry: expiry,
			want: `{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"expirationTimestamp":"2030-01-02T02:04:05Z","token":"` + fakeToken + `"}}` + "\n",
		},
		{
			name: "no expiry", apiVersion: KubeAPIVersionV1beta1, token: "FAKE<&>",
			want: `{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"FAKE<&>"}}` + "\n",
		},
		{name: "v1alpha1", apiVersion: "client.authentication.k8s.io/v1alpha1", token: fakeToken, wantErr: true},
		{name: "empty token", apiVersion: KubeAPIVersionV1, wantErr: true},
		{name: "control char in token", apiVersion: KubeAPIVersionV1, token: "FAKE\r\nX-Evil: 1", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteExecCredential(&buf, tt.apiVersion, tt.token, tt.expiry)
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
				t.Errorf("got  %s\nwant %s", buf.String(), tt.want)
			}
		})
	}
}
