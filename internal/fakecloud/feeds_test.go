package fakecloud

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFeeds(t *testing.T) {
	c := svcCloud(t)
	f, err := c.StartFeeds()
	if err != nil {
		t.Fatal(err)
	}
	cargoIndex, pipIndex := f.AddOrg("contoso", "crates", svcTenant)
	cargo := strings.TrimPrefix(cargoIndex, "sparse+")
	good := svcToken(t, c, DevOpsResource, svcTenant, time.Hour)
	hc := c.HTTPClient()
	get := func(url, auth string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	// Refused: no token, a token for another audience or tenant, expired.
	for name, auth := range map[string]string{
		"none":          "",
		"arm audience":  "Bearer " + svcToken(t, c, "https://management.core.windows.net/", svcTenant, time.Hour),
		"other tenant":  "Bearer " + svcToken(t, c, DevOpsResource, svcOtherTenant, time.Hour),
		"expired":       "Bearer " + svcToken(t, c, DevOpsResource, svcTenant, -time.Hour),
		"basic no pass": "Basic YXpjcmVkOg==",
	} {
		if code, _ := get(cargo+"config.json", auth); code != http.StatusUnauthorized {
			t.Errorf("%s: config.json answered %d", name, code)
		}
	}
	// cargo: config.json, the index entry, the crate whose checksum it names.
	code, b := get(cargo+"config.json", "Bearer "+good)
	var cfg struct {
		DL   string `json:"dl"`
		Auth bool   `json:"auth-required"`
	}
	if code != 200 || json.Unmarshal(b, &cfg) != nil || !cfg.Auth || cfg.DL == "" {
		t.Fatalf("config.json: %d %s", code, b)
	}
	code, b = get(cargo+"az/he/azhello", "Bearer "+good)
	var entry struct{ Name, Vers, Cksum string }
	if code != 200 || json.Unmarshal(b, &entry) != nil || entry.Name != FeedCrate {
		t.Fatalf("index entry: %d %s", code, b)
	}
	code, crate := get(cfg.DL+"/azhello/0.1.0/download", "Bearer "+good)
	sum := sha256.Sum256(crate)
	if code != 200 || hex.EncodeToString(sum[:]) != entry.Cksum {
		t.Fatalf("crate: %d, checksum mismatch", code)
	}
	gz, err := gzip.NewReader(bytes.NewReader(crate))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != "azhello-0.1.0/Cargo.toml" {
		t.Fatalf("crate's first file: %v %v", hdr, err)
	}
	// pip: Basic with the token as password; the page links the wheel.
	req, _ := http.NewRequest("GET", pipIndex+"azhello/", nil)
	req.SetBasicAuth("azcred", good)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	href := string(page)
	i := strings.Index(href, `href="`)
	j := strings.Index(href, "#sha256=")
	if resp.StatusCode != 200 || i < 0 || j < i {
		t.Fatalf("simple page: %d %s", resp.StatusCode, page)
	}
	code, whl := get(href[i+6:j], "Bearer "+good)
	if code != 200 {
		t.Fatalf("wheel: %d", code)
	}
	zr, err := zip.NewReader(bytes.NewReader(whl), int64(len(whl)))
	if err != nil || len(zr.File) != 4 {
		t.Fatalf("wheel is not a 4-file zip: %v", err)
	}
	// The other registry takes only its own token.
	other := strings.TrimPrefix(f.OtherIndex(), "sparse+")
	if code, _ := get(other+"config.json", "Bearer "+good); code != http.StatusUnauthorized {
		t.Errorf("other registry took an Entra token: %d", code)
	}
	if code, _ := get(other+"ot/he/othello", OtherRegistryToken); code != 200 {
		t.Errorf("other registry: %d", code)
	}
	if c.Count("feeds-download") != 2 || c.Count("feeds-401") != 6 {
		t.Errorf("counters: downloads %d, 401s %d", c.Count("feeds-download"), c.Count("feeds-401"))
	}
}
