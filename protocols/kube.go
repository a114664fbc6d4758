package protocols

// The Kubernetes exec credential plugin protocol (client-go).
//
// Rules (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins,
// types at https://kubernetes.io/docs/reference/config-api/client-authentication.v1/):
//   - client-go passes an ExecCredential in KUBERNETES_EXEC_INFO; the plugin
//     answers with an ExecCredential on stdout in the same apiVersion
//     (client-go rejects an answer in another version).
//   - Accepted versions: client.authentication.k8s.io/v1 and /v1beta1.
//     v1alpha1 was removed from client-go in 1.24 and is refused with an
//     error naming it, as is anything else.
//   - KUBERNETES_EXEC_INFO empty or unset: v1beta1 with interactive=false.
//     client-go always sets the variable, so its absence means an old client
//     or a manual run; false is the safe guess because a plugin that thinks
//     it may prompt would hang a client that has no terminal (and azcred
//     never prompts in protocol mode anyway).
//   - kind must be ExecCredential; the input is at most MaxExecInfo bytes;
//     bad JSON gives a one-line error.
//   - spec.cluster is present only with provideClusterInfo: true in the
//     kubeconfig; its server is what bindings match.
//   - The answer is status.token plus status.expirationTimestamp in UTC RFC
//     3339 to the second; client-go then calls the plugin again only when
//     the token expires or the server answers 401.
//   - Our own structs mirror the upstream JSON names: no client-go in the binary.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

const (
	KubeAPIVersionV1      = "client.authentication.k8s.io/v1"
	KubeAPIVersionV1beta1 = "client.authentication.k8s.io/v1beta1"
	// KubeExecInfoEnv is the variable client-go passes the request in.
	KubeExecInfoEnv = "KUBERNETES_EXEC_INFO"
	// MaxExecInfo bounds KUBERNETES_EXEC_INFO. It carries at most a CA bundle
	// and a small config blob; a megabyte is far beyond that.
	MaxExecInfo = 1 << 20

	execCredentialKind = "ExecCredential"
)

// ExecCredential is both the request (Spec) and the answer (Status).
type ExecCredential struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	// omitzero keeps the answer to apiVersion, kind and status, like the
	// example in the docs; client-go reads only status from it.
	Spec   ExecCredentialSpec    `json:"spec,omitzero"`
	Status *ExecCredentialStatus `json:"status,omitempty"`
}

// ExecCredentialSpec is what client-go tells the plugin.
type ExecCredentialSpec struct {
	Cluster     *Cluster `json:"cluster,omitempty"`
	Interactive bool     `json:"interactive"`
}

// Cluster shadows the kubeconfig cluster entry; the JSON names are the
// kubeconfig's kebab-case ones, unlike the rest of the object.
type Cluster struct {
	Server                   string          `json:"server"`
	TLSServerName            string          `json:"tls-server-name,omitempty"`
	InsecureSkipTLSVerify    bool            `json:"insecure-skip-tls-verify,omitempty"`
	CertificateAuthorityData []byte          `json:"certificate-authority-data,omitempty"` // base64 in JSON
	ProxyURL                 string          `json:"proxy-url,omitempty"`
	DisableCompression       bool            `json:"disable-compression,omitempty"`
	Config                   json.RawMessage `json:"config,omitempty"`
}

// ExecCredentialStatus is the plugin's answer.
type ExecCredentialStatus struct {
	ExpirationTimestamp   *time.Time `json:"expirationTimestamp,omitempty"`
	Token                 string     `json:"token,omitempty"`
	ClientCertificateData string     `json:"clientCertificateData,omitempty"`
	ClientKeyData         string     `json:"clientKeyData,omitempty"`
}

// ParseExecInfo parses the value of KUBERNETES_EXEC_INFO.
func ParseExecInfo(env string) (*ExecCredential, error) {
	if len(env) > MaxExecInfo {
		return nil, malformed("kube: %s is larger than %d bytes", KubeExecInfoEnv, MaxExecInfo)
	}
	if strings.TrimSpace(env) == "" {
		return &ExecCredential{APIVersion: KubeAPIVersionV1beta1, Kind: execCredentialKind}, nil
	}
	var ec ExecCredential
	if err := json.Unmarshal([]byte(env), &ec); err != nil {
		// encoding/json errors are one line and quote at most one
		// character of the input, so they are safe to pass on.
		return nil, malformed("kube: %s is not a valid ExecCredential: %s", KubeExecInfoEnv, oneLine(err.Error(), 200))
	}
	if err := checkKubeAPIVersion(ec.APIVersion); err != nil {
		return nil, err
	}
	if ec.Kind != execCredentialKind {
		return nil, malformed("kube: %s has kind %q, want %s", KubeExecInfoEnv, oneLine(ec.Kind, 64), execCredentialKind)
	}
	return &ec, nil
}

func checkKubeAPIVersion(v string) error {
	switch v {
	case KubeAPIVersionV1, KubeAPIVersionV1beta1:
		return nil
	case "":
		return malformed("kube: %s has no apiVersion", KubeExecInfoEnv)
	}
	return malformed("kube: unsupported apiVersion %q (azcred speaks %s and %s)",
		oneLine(v, 100), KubeAPIVersionV1, KubeAPIVersionV1beta1)
}

// WriteExecCredential answers with token in apiVersion ("" means v1beta1, as
// for an absent KUBERNETES_EXEC_INFO). A zero expiry leaves
// expirationTimestamp out, which makes client-go keep the token until a 401.
func WriteExecCredential(w io.Writer, apiVersion, token string, expiry time.Time) error {
	if apiVersion == "" {
		apiVersion = KubeAPIVersionV1beta1
	}
	if err := checkKubeAPIVersion(apiVersion); err != nil {
		return err
	}
	if token == "" {
		return malformed("kube: empty token")
	}
	if strings.ContainsFunc(token, isControl) {
		// client-go puts the token in an Authorization header.
		return malformed("kube: token contains a control character")
	}
	st := &ExecCredentialStatus{Token: token}
	if !expiry.IsZero() {
		// metav1.Time is RFC 3339 with whole seconds.
		t := expiry.UTC().Truncate(time.Second)
		st.ExpirationTimestamp = &t
	}
	ec := ExecCredential{APIVersion: apiVersion, Kind: execCredentialKind, Status: st}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ec); err != nil {
		return fmt.Errorf("kube: encode: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("kube: write: %w", err)
	}
	return nil
}
