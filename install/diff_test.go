package install

import (
	"bytes"
	"strings"
	"testing"
)

func TestRedactAll(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"cached tokens", []string{"        access-token: fake-a", "        refresh-token: 'fake-r'"}, []string{"        access-token: REDACTED", "        refresh-token: REDACTED"}},
		{"block list flag", []string{"      - --client-secret", "      - fake-s", "      - --login"}, []string{"      - --client-secret", "      - REDACTED", "      - --login"}},
		{"flag with =", []string{"      - --client-secret=fake-s"}, []string{"      - --client-secret=REDACTED"}},
		{"flow list", []string{"  args: [get-token, --client-secret, fake-s, --login, spn]"}, []string{"  args: [get-token, --client-secret, REDACTED, --login, spn]"}},
		{"key data", []string{"    client-key-data: LS0tfake"}, []string{"    client-key-data: REDACTED"}},
		{"harmless", []string{"    server: https://x", "      - --server-id", "      - 6dae"}, []string{"    server: https://x", "      - --server-id", "      - 6dae"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := redactAll(tt.in)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("redactAll(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWriteDiff(t *testing.T) {
	old := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n"
	new := "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\nl\n"
	var b bytes.Buffer
	writeDiff(&b, "f", []byte(old), []byte(new))
	want := `--- f
+++ f (azcred)
@@ -1,7 +1,7 @@
 a
 b
 c
-d
+D
 e
 f
 g
@@ -9,3 +9,4 @@
 i
 j
 k
+l
`
	if b.String() != want {
		t.Errorf("diff:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestKubeDiffHidesSecrets(t *testing.T) {
	in := readTestdata(t, "kubelogin-spn.yaml")
	out, _, err := ConvertKubeconfig(in, KubeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	writeDiff(&b, "config", in, out)
	if strings.Contains(b.String(), "fake-client-secret") {
		t.Errorf("diff shows the client secret:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "+      command: azcred") {
		t.Errorf("diff lacks the new block:\n%s", b.String())
	}
}
