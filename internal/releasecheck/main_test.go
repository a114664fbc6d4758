package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The archive check must catch a helper name that is a plain file instead
// of a link (Unix) or not a copy of azcred.exe (Windows).
func TestCheckArchive(t *testing.T) {
	dir := t.TempDir()
	tgz := func(name string, helperAsFile bool) string {
		p := filepath.Join(dir, name)
		f, _ := os.Create(p)
		gz := gzip.NewWriter(f)
		tw := tar.NewWriter(gz)
		add := func(h *tar.Header, body string) {
			h.Size = int64(len(body))
			if err := tw.WriteHeader(h); err != nil {
				t.Fatal(err)
			}
			tw.Write([]byte(body))
		}
		add(&tar.Header{Name: "azcred", Mode: 0o755, Typeflag: tar.TypeReg}, "ELF")
		add(&tar.Header{Name: "README.md", Mode: 0o644, Typeflag: tar.TypeReg}, "#")
		add(&tar.Header{Name: "LICENSE", Mode: 0o644, Typeflag: tar.TypeReg}, "MIT")
		add(&tar.Header{Name: "git-credential-azcred", Typeflag: tar.TypeSymlink, Linkname: "azcred"}, "")
		if helperAsFile {
			add(&tar.Header{Name: "docker-credential-azcred", Mode: 0o755, Typeflag: tar.TypeReg}, "ELF")
		} else {
			add(&tar.Header{Name: "docker-credential-azcred", Typeflag: tar.TypeSymlink, Linkname: "azcred"}, "")
		}
		tw.Close()
		gz.Close()
		f.Close()
		return p
	}
	zipped := func(name, dockerBody string) string {
		p := filepath.Join(dir, name)
		f, _ := os.Create(p)
		zw := zip.NewWriter(f)
		for n, body := range map[string]string{"azcred.exe": "MZ", "git-credential-azcred.exe": "MZ", "docker-credential-azcred.exe": dockerBody, "README.md": "#", "LICENSE": "MIT"} {
			w, _ := zw.Create(n)
			w.Write([]byte(body))
		}
		zw.Close()
		f.Close()
		return p
	}
	tests := []struct {
		path    string
		windows bool
		wantErr string
	}{
		{tgz("good.tar.gz", false), false, ""},
		{tgz("file.tar.gz", true), false, "docker-credential-azcred is not a symlink"},
		{zipped("good.zip", "MZ"), true, ""},
		{zipped("other.zip", "MZ other"), true, "docker-credential-azcred.exe is not a copy"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			err := checkArchive(tt.path, tt.windows)
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("checkArchive = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
