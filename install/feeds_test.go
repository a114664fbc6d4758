package install

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Install then uninstall leaves every file as it was, whatever it held.
func TestPipConfigRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name, before, after string
	}{
		{"no file", "", "[global]\n" + pipMarker + " (with its section header)\nkeyring-provider = subprocess\n"},
		{"other section", "[install]\nno-deps = true\n", "[install]\nno-deps = true\n\n[global]\n" + sectionMarker(pipMarker) + "\nkeyring-provider = subprocess\n"},
		{"global exists", "[global]\ntimeout = 60\n", "[global]\n" + pipMarker + "\nkeyring-provider = subprocess\ntimeout = 60\n"},
		// The user's own setting, even another value, is left alone.
		{"user set", "[global]\nkeyring_provider = import\n", "[global]\nkeyring_provider = import\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "pip", "pip.conf")
			if tc.before != "" {
				os.MkdirAll(filepath.Dir(cfg), 0o700)
				os.WriteFile(cfg, []byte(tc.before), 0o600)
			}
			exe := filepath.Join(dir, "azcred")
			os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o700)
			opts := PipOptions{LinkDir: filepath.Join(dir, "bin"), Exe: exe, ConfigFile: cfg, Path: filepath.Join(dir, "bin")}
			if _, err := InstallPip(opts); err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(cfg); string(b) != tc.after {
				t.Fatalf("after install:\n%s\nwant\n%s", b, tc.after)
			}
			if !sameFile(filepath.Join(dir, "bin", KeyringName()), exe) {
				t.Fatal("no keyring link to azcred")
			}
			if ch, err := InstallPip(opts); err != nil || len(ch) != 0 {
				t.Fatalf("second install: %v %v", ch, err)
			}
			opts.Uninstall = true
			if _, err := InstallPip(opts); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(cfg)
			if tc.before == "" {
				if !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("file azcred created is still there: %q", b)
				}
			} else if string(b) != tc.before {
				t.Fatalf("after uninstall:\n%s\nwant\n%s", b, tc.before)
			}
			if _, err := os.Lstat(filepath.Join(dir, "bin", KeyringName())); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("link survived uninstall")
			}
		})
	}
}

func TestPipRefusesToShadow(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "usr", "keyring")
	os.MkdirAll(filepath.Dir(real), 0o700)
	os.WriteFile(real, []byte("#!/bin/sh\n"), 0o700)
	exe := filepath.Join(dir, "azcred")
	os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o700)
	cfg := filepath.Join(dir, "pip.conf")
	// Also when the user's keyring comes after our directory on PATH.
	path := filepath.Join(dir, "bin") + string(filepath.ListSeparator) + filepath.Dir(real)
	_, err := InstallPip(PipOptions{LinkDir: filepath.Join(dir, "bin"), Exe: exe, ConfigFile: cfg, Path: path})
	if !errors.Is(err, ErrForeignKeyring) || !strings.Contains(err.Error(), real) {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(cfg); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("pip config written despite the refusal")
	}
	if _, err := os.Lstat(filepath.Join(dir, "bin")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("link directory made despite the refusal")
	}
	// A file of the user's where the link would go is never replaced.
	os.MkdirAll(filepath.Join(dir, "bin"), 0o700)
	os.WriteFile(filepath.Join(dir, "bin", KeyringName()), []byte("mine"), 0o700)
	if _, err := InstallPip(PipOptions{LinkDir: filepath.Join(dir, "bin"), Exe: exe, ConfigFile: cfg}); err == nil {
		t.Fatal("overwrote a file that is not azcred")
	}
	if _, err := InstallPip(PipOptions{LinkDir: filepath.Join(dir, "bin"), Exe: exe, ConfigFile: cfg, Uninstall: true}); err == nil {
		t.Fatal("uninstall removed a file that is not azcred")
	}
}

func TestCargoConfig(t *testing.T) {
	for _, tc := range []struct {
		name, registry, before, after, userSet, err string
	}{
		{"registry table exists", "contoso", "[registries.contoso]\nindex = \"sparse+https://x/\"\n",
			"[registries.contoso]\n" + cargoMarker + "\ncredential-provider = \"azcred cargo\"\nindex = \"sparse+https://x/\"\n", "", ""},
		{"quoted table name", "contoso", "[registries.\"contoso\"]\nindex = \"i\"\n",
			"[registries.\"contoso\"]\n" + cargoMarker + "\ncredential-provider = \"azcred cargo\"\nindex = \"i\"\n", "", ""},
		{"no table", "contoso", "",
			"[registries.contoso]\n" + sectionMarker(cargoMarker) + "\ncredential-provider = \"azcred cargo\"\n", "", ""},
		{"global list", "", "[net]\nretry = 2\n",
			"[net]\nretry = 2\n\n[registry]\n" + sectionMarker(cargoMarker) + "\nglobal-credential-providers = [\"cargo:token\", \"azcred cargo\"]\n", "", ""},
		{"user's global list", "", "[registry]\nglobal-credential-providers = [\"cargo:libsecret\"]\n",
			"[registry]\nglobal-credential-providers = [\"cargo:libsecret\"]\n", `[registry] global-credential-providers = ["cargo:libsecret"]`, ""},
		{"user's provider", "contoso", "registries.contoso.credential-provider = \"other\"\n",
			"registries.contoso.credential-provider = \"other\"\n", `[registries.contoso] credential-provider = "other"`, ""},
		{"inline table", "contoso", "[registries]\ncontoso = { index = \"i\" }\n", "[registries]\ncontoso = { index = \"i\" }\n", "", "inline"},
		{"bad name", "a]b", "", "", "", "not a cargo registry name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "config.toml")
			if tc.before != "" {
				os.WriteFile(cfg, []byte(tc.before), 0o600)
			}
			opts := CargoOptions{ConfigFile: cfg, Registry: tc.registry, Command: "azcred cargo"}
			_, userSet, err := InstallCargo(opts)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || userSet != tc.userSet {
				t.Fatalf("got %q, %v; want user setting %q", userSet, err, tc.userSet)
			}
			if b, _ := os.ReadFile(cfg); string(b) != tc.after {
				t.Fatalf("after install:\n%s\nwant\n%s", b, tc.after)
			}
			opts.Uninstall = true
			if _, _, err := InstallCargo(opts); err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(cfg); string(b) != tc.before {
				t.Fatalf("after uninstall:\n%s\nwant\n%s", b, tc.before)
			}
		})
	}
}
