package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// findLeaks looks for any of secrets in what a script left behind: every
// line azcred wrote to stderr (the logs under .stderr/) and every file in
// the work directory — config.json, git, kube and docker configs, clones —
// except the vault, its key, the fake cloud's own files, and the script's
// own input files that hold the test service principal's secret on purpose.
// Protocol replies on stdout are the one place tokens belong; they are not
// kept on disk unless a script copies them.
func findLeaks(work string, secrets []string) []string {
	var leaks []string
	filepath.WalkDir(work, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(work, path)
		if d.IsDir() {
			if rel == ".fakecloud" || d.Name() == "keyring" || d.Name() == "objects" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // links, and FIFOs a script made: reading one would block
		}
		switch d.Name() {
		case "vault.bin", "vault.key":
			return nil
		case "federated-token", "sp-cert.pem":
			if filepath.Dir(rel) == "." {
				return nil // inputs setupCloud wrote for --federated-token-file and --certificate
			}
		case "msal_token_cache.json":
			if filepath.Base(filepath.Dir(rel)) == ".azure" {
				return nil // an Azure CLI token cache a script imports: it holds a refresh token on purpose
			}
		}
		data, err := os.ReadFile(path)
		if err != nil || len(data) > 8<<20 {
			return nil
		}
		isLog := strings.HasPrefix(rel, ".stderr"+string(filepath.Separator))
		for _, s := range secrets {
			if len(s) < 16 {
				continue // device-code user codes are shown to the user on purpose
			}
			if s == spSecret && !isLog {
				continue // secret.txt files feed it to --secret-stdin
			}
			if bytes.Contains(data, []byte(s)) {
				leaks = append(leaks, rel+" holds a secret issued by the fake cloud ("+s[:8]+"…)")
			}
		}
		return nil
	})
	return leaks
}

// The leak check itself must be able to fail.
func TestFindLeaks(t *testing.T) {
	work := t.TempDir()
	const token = "eyJfake.access-token-for-the-leak-test.sig"
	os.MkdirAll(filepath.Join(work, ".stderr"), 0o700)
	os.MkdirAll(filepath.Join(work, "config"), 0o700)
	os.WriteFile(filepath.Join(work, "config", "vault.bin"), []byte(token), 0o600)
	if got := findLeaks(work, []string{token}); len(got) != 0 {
		t.Fatalf("the vault is allowed to hold tokens: %v", got)
	}
	os.WriteFile(filepath.Join(work, ".stderr", "stderr-1.log"), []byte("azcred: debug: "+token), 0o600)
	os.WriteFile(filepath.Join(work, "config", "config.json"), []byte(token), 0o600)
	if got := findLeaks(work, []string{token}); len(got) != 2 {
		t.Fatalf("want 2 leaks, got %v", got)
	}
}
