// Command releasecheck verifies a GoReleaser dist/ made from
// .goreleaser.yaml (scripts/release-check.sh runs it after a snapshot):
// every archive is there with azcred and both helper names (symlinks on
// Unix, identical copies on Windows), README.md and LICENSE; checksums.txt
// matches; the host platform's binary, run from its extracted archive,
// reports the stamped version and commit and answers to its helper names;
// the Scoop, winget and Homebrew manifests parse and point at the archives
// by checksum; each SBOM (with -sbom) is SPDX JSON.
//
// It prints one line per check on stdout and exits 1 on the first failure.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

var platforms = []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"}

var helperNames = []string{"git-credential-azcred", "docker-credential-azcred"}

func main() {
	dist := flag.String("dist", "dist", "GoReleaser's dist directory")
	commit := flag.String("commit", "", "the full git commit the release was built from")
	sbom := flag.Bool("sbom", false, "require an SPDX SBOM beside every archive")
	install := flag.String("action-install", "", "also run this copy of scripts/action-install.sh against dist/ served on loopback")
	flag.Parse()
	err := check(*dist, *commit, *sbom)
	if err == nil && *install != "" {
		err = checkActionInstall(*dist, *install)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "releasecheck: FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("releasecheck: all checks passed")
}

type metadata struct {
	Version string `json:"version"`
	Tag     string `json:"tag"`
}

func check(dist, commit string, wantSBOM bool) error {
	var meta metadata
	if err := readJSON(filepath.Join(dist, "metadata.json"), &meta); err != nil {
		return err
	}
	if meta.Version == "" {
		return fmt.Errorf("metadata.json has no version")
	}
	sums, err := verifyChecksums(dist)
	if err != nil {
		return err
	}
	for _, p := range platforms {
		name := archiveName(meta.Version, p)
		if _, ok := sums[name]; !ok {
			return fmt.Errorf("%s is not in checksums.txt", name)
		}
		if err := checkArchive(filepath.Join(dist, name), strings.HasPrefix(p, "windows/")); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Printf("ok archive %s: azcred, %s, README.md, LICENSE\n", name, strings.Join(helperNames, ", "))
		if wantSBOM {
			var doc struct {
				SPDXVersion string `json:"spdxVersion"`
				Packages    []any  `json:"packages"`
			}
			if err := readJSON(filepath.Join(dist, name+".sbom.json"), &doc); err != nil {
				return err
			}
			if doc.SPDXVersion == "" || len(doc.Packages) == 0 {
				return fmt.Errorf("%s.sbom.json is not an SPDX document with packages", name)
			}
			fmt.Printf("ok sbom %s.sbom.json: %s, %d packages\n", name, doc.SPDXVersion, len(doc.Packages))
		}
	}
	host := runtime.GOOS + "/" + runtime.GOARCH
	if slices.Contains(platforms, host) {
		if err := runHostBinary(filepath.Join(dist, archiveName(meta.Version, host)), meta.Version, commit); err != nil {
			return fmt.Errorf("host binary: %w", err)
		}
	}
	if err := checkScoop(dist, meta.Version, sums); err != nil {
		return fmt.Errorf("scoop: %w", err)
	}
	if err := checkWinget(dist, meta.Version, sums); err != nil {
		return fmt.Errorf("winget: %w", err)
	}
	if err := checkFormula(dist, meta.Version, sums); err != nil {
		return fmt.Errorf("homebrew: %w", err)
	}
	return nil
}

func archiveName(version, platform string) string {
	goos, goarch, _ := strings.Cut(platform, "/")
	ext := ".tar.gz"
	if goos == "windows" {
		ext = ".zip"
	}
	return fmt.Sprintf("azcred_%s_%s_%s%s", version, goos, goarch, ext)
}

// verifyChecksums recomputes every sha256 in checksums.txt; it returns
// file name to checksum.
func verifyChecksums(dist string) (map[string]string, error) {
	data, err := os.ReadFile(filepath.Join(dist, "checksums.txt"))
	if err != nil {
		return nil, err
	}
	sums := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			return nil, fmt.Errorf("checksums.txt: bad line %q", line)
		}
		got, err := sha256File(filepath.Join(dist, name))
		if err != nil {
			return nil, err
		}
		if got != sum {
			return nil, fmt.Errorf("checksums.txt: %s has sha256 %s, the file %s", name, sum, got)
		}
		sums[name] = sum
	}
	fmt.Printf("ok checksums.txt: %d files verified\n", len(sums))
	return sums, nil
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkArchive wants azcred and the helper names at the archive's root:
// relative symlinks to azcred in a tarball, identical copies in a zip.
func checkArchive(path string, windows bool) error {
	entries, err := readArchive(path)
	if err != nil {
		return err
	}
	for _, doc := range []string{"README.md", "LICENSE"} {
		if e, ok := entries[doc]; !ok || e.link != "" {
			return fmt.Errorf("%s missing or not a file", doc)
		}
	}
	exe := ""
	if windows {
		exe = ".exe"
	}
	bin, ok := entries["azcred"+exe]
	if !ok || bin.link != "" || len(bin.data) == 0 || (!windows && bin.mode&0o111 == 0) {
		return fmt.Errorf("azcred%s missing or not an executable file", exe)
	}
	for _, n := range helperNames {
		e, ok := entries[n+exe]
		switch {
		case !ok:
			return fmt.Errorf("%s%s missing", n, exe)
		case windows && !bytes.Equal(e.data, bin.data):
			return fmt.Errorf("%s.exe is not a copy of azcred.exe", n)
		case !windows && e.link != "azcred":
			return fmt.Errorf("%s is not a symlink to azcred (link %q)", n, e.link)
		}
	}
	return nil
}

type entry struct {
	link string
	mode os.FileMode
	data []byte
}

func readArchive(path string) (map[string]entry, error) {
	out := map[string]entry{}
	if strings.HasSuffix(path, ".zip") {
		zr, err := zip.OpenReader(path)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				return nil, err
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return nil, err
			}
			out[f.Name] = entry{mode: f.Mode(), data: data}
		}
		return out, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		e := entry{mode: h.FileInfo().Mode()}
		switch h.Typeflag {
		case tar.TypeSymlink:
			e.link = h.Linkname
		case tar.TypeReg:
			if e.data, err = io.ReadAll(tr); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%s: unexpected entry type %c", h.Name, h.Typeflag)
		}
		out[h.Name] = e
	}
}

// runHostBinary extracts the host's archive (links as links) and runs it
// under all three names in a throwaway store.
func runHostBinary(archive, version, commit string) error {
	entries, err := readArchive(archive)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "releasecheck-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for name, e := range entries {
		p := filepath.Join(dir, name)
		if e.link != "" {
			err = os.Symlink(e.link, p)
		} else {
			err = os.WriteFile(p, e.data, e.mode.Perm())
		}
		if err != nil {
			return err
		}
	}
	exe := ""
	if runtime.GOOS == "windows" {
		exe = ".exe"
	}
	env := append(os.Environ(), "AZCRED_CONFIG_DIR="+filepath.Join(dir, "store"), "AZCRED_KEYRING_BACKEND=file")
	run := func(name, stdin string, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, filepath.Join(dir, name+exe), args...)
		cmd.Env, cmd.Stdin = env, strings.NewReader(stdin)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		return string(out), nil
	}
	out, err := run("azcred", "", "version", "--output", "json")
	if err != nil {
		return err
	}
	var v struct{ Version, Revision, Time string }
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		return fmt.Errorf("version --output json: %w: %s", err, out)
	}
	if v.Version != "v"+version {
		return fmt.Errorf("version %q, want %q", v.Version, "v"+version)
	}
	if len(v.Revision) != 40 || (commit != "" && v.Revision != commit) {
		return fmt.Errorf("revision %q, want the full commit %q", v.Revision, commit)
	}
	if _, err := time.Parse(time.RFC3339, v.Time); err != nil {
		return fmt.Errorf("time %q is not the commit date: %w", v.Time, err)
	}
	fmt.Printf("ok host binary: version %s, commit %s, date %s\n", v.Version, v.Revision, v.Time)
	if out, err = run("docker-credential-azcred", "", "version"); err != nil {
		return err
	}
	if !strings.HasPrefix(out, "docker-credential-azcred ") {
		return fmt.Errorf("docker-credential-azcred version printed %q", out)
	}
	// A host that is not Azure DevOps is not ours: git mode answers nothing, exit 0.
	if out, err = run("git-credential-azcred", "protocol=https\nhost=example.invalid\n\n", "get"); err != nil {
		return err
	}
	if out != "" {
		return fmt.Errorf("git-credential-azcred get for a foreign host printed %q", out)
	}
	fmt.Println("ok host binary: answers as docker-credential-azcred and git-credential-azcred")
	return nil
}

// checkActionInstall serves dist/ the way GitHub serves a release
// (/latest redirects to /tag/vVERSION, files under /download/vVERSION/) and
// runs the action's install step against it twice: as is, and with a
// checksums.txt that does not match, which must fail.
func checkActionInstall(dist, script string) error {
	var meta metadata
	if err := readJSON(filepath.Join(dist, "metadata.json"), &meta); err != nil {
		return err
	}
	tag := "v" + meta.Version
	files := http.StripPrefix("/download/"+tag+"/", http.FileServer(http.Dir(dist)))
	mux := http.NewServeMux()
	mux.HandleFunc("/good/latest", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/good/tag/"+tag, http.StatusFound)
	})
	mux.HandleFunc("/good/tag/", func(w http.ResponseWriter, r *http.Request) {})
	mux.Handle("/good/download/", http.StripPrefix("/good", files))
	mux.HandleFunc("/bad/download/"+tag+"/checksums.txt", func(w http.ResponseWriter, r *http.Request) {
		data, _ := os.ReadFile(filepath.Join(dist, "checksums.txt"))
		// Flip every checksum's first digit: the archive no longer matches.
		lines := strings.Split(string(data), "\n")
		for i, l := range lines {
			if l != "" {
				lines[i] = map[bool]string{true: "1", false: "0"}[l[0] == '0'] + l[1:]
			}
		}
		io.WriteString(w, strings.Join(lines, "\n"))
	})
	mux.Handle("/bad/download/", http.StripPrefix("/bad", files))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tmp, err := os.MkdirTemp("", "releasecheck-action-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	run := func(base, version string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", script)
		cmd.Env = append(os.Environ(), "AZCRED_RELEASE_URL="+srv.URL+base, "AZCRED_VERSION="+version,
			"RUNNER_TEMP="+tmp, "GITHUB_PATH="+filepath.Join(tmp, "github-path"), "AZCRED_CONFIG_DIR="+filepath.Join(tmp, "store"))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("/good", "latest"); err != nil {
		return fmt.Errorf("action-install.sh: %v: %s", err, out)
	}
	path, err := os.ReadFile(filepath.Join(tmp, "github-path"))
	if err != nil {
		return err
	}
	bin := strings.TrimSpace(string(path))
	for _, n := range append([]string{"azcred"}, helperNames...) {
		if runtime.GOOS == "windows" {
			n += ".exe"
		}
		if _, err := os.Stat(filepath.Join(bin, n)); err != nil {
			return fmt.Errorf("action-install.sh: %w", err)
		}
	}
	fmt.Printf("ok action install: latest resolved to %s, checksum verified, installed in %s and put on GITHUB_PATH\n", tag, bin)
	out, err := run("/bad", tag)
	if err == nil || !strings.Contains(out, "sha256") {
		return fmt.Errorf("action-install.sh accepted an archive that does not match checksums.txt: %v: %s", err, out)
	}
	fmt.Println("ok action install: refuses an archive that does not match checksums.txt")
	return nil
}

func checkScoop(dist, version string, sums map[string]string) error {
	var m struct {
		Version      string   `json:"version"`
		PostInstall  []string `json:"post_install"`
		Architecture map[string]struct {
			URL  string   `json:"url"`
			Bin  []string `json:"bin"`
			Hash string   `json:"hash"`
		} `json:"architecture"`
	}
	if err := readJSON(filepath.Join(dist, "scoop", "azcred.json"), &m); err != nil {
		return err
	}
	if m.Version != version {
		return fmt.Errorf("version %q, want %q", m.Version, version)
	}
	want := []string{"azcred.exe", "git-credential-azcred.exe", "docker-credential-azcred.exe"}
	for arch, goarch := range map[string]string{"64bit": "amd64", "arm64": "arm64"} {
		a := m.Architecture[arch]
		name := archiveName(version, "windows/"+goarch)
		if !strings.HasSuffix(a.URL, "/"+name) || a.Hash != sums[name] {
			return fmt.Errorf("%s: url %q hash %q do not match %s", arch, a.URL, a.Hash, name)
		}
		slices.Sort(a.Bin)
		slices.Sort(want)
		if !slices.Equal(a.Bin, want) {
			return fmt.Errorf("%s: bin %v, want %v", arch, a.Bin, want)
		}
	}
	if !strings.Contains(strings.Join(m.PostInstall, "\n"), `azcred.exe" version`) {
		return fmt.Errorf("post_install does not run azcred version")
	}
	fmt.Println("ok scoop/azcred.json: both architectures, three commands, azcred version after install")
	return nil
}

func checkWinget(dist, version string, sums map[string]string) error {
	dir := filepath.Join(dist, "winget", "manifests", "a", "azcred", "azcred", version)
	for _, f := range []string{"azcred.azcred.yaml", "azcred.azcred.locale.en-US.yaml"} {
		var doc map[string]any
		if err := readYAML(filepath.Join(dir, f), &doc); err != nil {
			return err
		}
		if doc["PackageIdentifier"] != "azcred.azcred" || doc["PackageVersion"] != version {
			return fmt.Errorf("%s: identifier/version %v %v", f, doc["PackageIdentifier"], doc["PackageVersion"])
		}
	}
	var inst struct {
		PackageVersion string `yaml:"PackageVersion"`
		Installers     []struct {
			Architecture         string `yaml:"Architecture"`
			InstallerURL         string `yaml:"InstallerUrl"`
			InstallerSha256      string `yaml:"InstallerSha256"`
			NestedInstallerFiles []struct {
				RelativeFilePath     string `yaml:"RelativeFilePath"`
				PortableCommandAlias string `yaml:"PortableCommandAlias"`
			} `yaml:"NestedInstallerFiles"`
		} `yaml:"Installers"`
	}
	if err := readYAML(filepath.Join(dir, "azcred.azcred.installer.yaml"), &inst); err != nil {
		return err
	}
	if len(inst.Installers) != 2 {
		return fmt.Errorf("%d installers, want 2", len(inst.Installers))
	}
	for _, in := range inst.Installers {
		name := filepath.Base(in.InstallerURL)
		if sums[name] == "" || sums[name] != strings.ToLower(in.InstallerSha256) {
			return fmt.Errorf("%s: %s sha256 %s does not match checksums.txt", in.Architecture, name, in.InstallerSha256)
		}
		var aliases []string
		for _, f := range in.NestedInstallerFiles {
			if f.RelativeFilePath != f.PortableCommandAlias+".exe" {
				return fmt.Errorf("%s: alias %s runs %s", in.Architecture, f.PortableCommandAlias, f.RelativeFilePath)
			}
			aliases = append(aliases, f.PortableCommandAlias)
		}
		slices.Sort(aliases)
		if !slices.Equal(aliases, []string{"azcred", "docker-credential-azcred", "git-credential-azcred"}) {
			return fmt.Errorf("%s: commands %v", in.Architecture, aliases)
		}
	}
	fmt.Println("ok winget manifests: both architectures, three commands")
	return nil
}

// checkFormula runs `ruby -c` when Ruby is installed; either way it checks
// that every url/sha256 pair names a release archive by its checksum.
func checkFormula(dist, version string, sums map[string]string) error {
	path := filepath.Join(dist, "homebrew", "azcred.rb")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	syntax := "ruby not installed: syntax not checked"
	if ruby, err := exec.LookPath("ruby"); err == nil {
		if out, err := exec.Command(ruby, "-c", path).CombinedOutput(); err != nil {
			return fmt.Errorf("ruby -c: %v: %s", err, out)
		}
		syntax = "ruby -c ok"
	}
	text := string(data)
	if !strings.Contains(text, `version "`+version+`"`) || !strings.Contains(text, `#{bin}/azcred version`) {
		return fmt.Errorf("no version %q or no azcred version test", version)
	}
	for _, p := range platforms {
		if strings.HasPrefix(p, "windows/") {
			continue
		}
		name := archiveName(version, p)
		if !strings.Contains(text, "/"+name+"\"\n      sha256 \""+sums[name]+"\"") {
			return fmt.Errorf("no url and sha256 for %s", name)
		}
	}
	fmt.Printf("ok homebrew/azcred.rb: four archives by checksum, test runs azcred version (%s)\n", syntax)
	return nil
}

func readJSON(path string, v any) error { return readDoc(path, json.Unmarshal, v) }

func readYAML(path string, v any) error { return readDoc(path, yaml.Unmarshal, v) }

func readDoc(path string, unmarshal func([]byte, any) error, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
