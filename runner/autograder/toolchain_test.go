package autograder

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis-notebook/tutorial/runner/grade"
)

// someSums stand for the checksums a teacher gives, for the tests that
// do not install the toolchain.
var someSums = GoChecksums{goVersion + ".linux-amd64.tar.gz": strings.Repeat("0", 64)}

// fakeToolchain writes into dir a tarball named as go.dev names the
// pinned toolchain's for arch, holding go/bin/go, a script that prints
// what.
func fakeToolchain(t *testing.T, dir, arch, what string) string {
	t.Helper()
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	script := []byte("#!/bin/sh\necho " + what + "\n")
	for _, h := range []*tar.Header{
		{Name: "go/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "go/bin/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "go/bin/go", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(script))},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
	}
	tw.Write(script)
	tw.Close()
	gz.Close()
	path := filepath.Join(dir, goVersion+".linux-"+arch+".tar.gz")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestInstallGo unpacks the autograder in a temporary root, as Gradescope
// does, with the SHA-256 of a fake toolchain tarball given as a teacher
// gives it (--go-tarball), and runs its install_go.sh, serving the
// tarball from a folder instead of go.dev: the tarball is installed; the
// same tarball with one byte changed is refused with a message, and the
// toolchain installed before is left as it was; so is a machine of an
// architecture whose sum was not given.
func TestInstallGo(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("install_go.sh downloads with curl, which is not installed")
	}
	m, err := grade.LoadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := Select(m, "1")
	if err != nil {
		t.Fatal(err)
	}
	server := t.TempDir()
	sums, err := TarballChecksum(fakeToolchain(t, server, "amd64", "the right go"))
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	if err := Gradescope(root, sel, sums, &z); err != nil {
		t.Fatal(err)
	}
	source := filepath.Join(t.TempDir(), "autograder", "source")
	unzip(t, z.Bytes(), source)
	prefix := t.TempDir() // standing for /usr/local
	install := func(arch string) (string, error) {
		cmd := exec.Command("bash", filepath.Join(source, "install_go.sh"))
		cmd.Env = append(os.Environ(), "GO_DOWNLOAD_URL=file://"+server, "GO_PREFIX="+prefix, "GO_ARCH="+arch)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	installed := func() string {
		out, _ := exec.Command(filepath.Join(prefix, "go", "bin", "go")).Output()
		return strings.TrimSpace(string(out))
	}

	if out, err := install("amd64"); err != nil || installed() != "the right go" {
		t.Fatalf("installing the tarball whose sum was given: %v, installed %q\n%s", err, installed(), out)
	}

	// The same name, another content: a download that is not the file.
	tarball := fakeToolchain(t, server, "amd64", "the wrong go")
	out, err := install("amd64")
	if err == nil || !strings.Contains(out, "not installed") || !strings.Contains(out, "has SHA-256") || !strings.Contains(out, sums[filepath.Base(tarball)]) {
		t.Errorf("a tarball whose sum is not the one given: %v\n%s\nwant refused, saying both sums", err, out)
	}
	if installed() != "the right go" {
		t.Errorf("after a refused download, the toolchain installed is %q", installed())
	}

	fakeToolchain(t, server, "arm64", "another machine's go")
	out, err = install("arm64")
	if err == nil || !strings.Contains(out, "no SHA-256 of "+goVersion+".linux-arm64.tar.gz was given") {
		t.Errorf("a machine whose tarball's sum was not given: %v\n%s\nwant refused", err, out)
	}
	if installed() != "the right go" {
		t.Errorf("after an unknown architecture, the toolchain installed is %q", installed())
	}
}

// TestGoChecksums: a checksums file as sha256sum writes it is read, its
// mistakes named with the file and line; an autograder with no sum for
// the pinned toolchain is not written.
func TestGoChecksums(t *testing.T) {
	dir := t.TempDir()
	sum := strings.Repeat("ab", 32)
	write := func(text string) string {
		path := filepath.Join(dir, "SHA256SUMS")
		os.WriteFile(path, []byte(text), 0o644)
		return path
	}
	sums, err := ReadGoChecksums(write("# from go.dev/dl\n" + strings.ToUpper(sum) + "  " + goVersion + ".linux-amd64.tar.gz\n\n" +
		sum + " *" + goVersion + ".linux-arm64.tar.gz\n"))
	if err != nil || len(sums) != 2 || sums[goVersion+".linux-amd64.tar.gz"] != sum || sums[goVersion+".linux-arm64.tar.gz"] != sum {
		t.Errorf("ReadGoChecksums = %v, %v", sums, err)
	}
	for text, want := range map[string]string{
		sum + "\n": "SHA256SUMS:1: want a SHA-256 and a tarball's name",
		"\n" + sum[:60] + " go1.2.linux-amd64.tar.gz":                                                `SHA256SUMS:2: "` + sum[:60] + `" is not a SHA-256`,
		sum + " go1.2.windows-amd64.zip":                                                             `SHA256SUMS:1: "go1.2.windows-amd64.zip" is not a Go toolchain's tarball`,
		sum + " go1.2.linux-amd64.tar.gz\n" + strings.Repeat("cd", 32) + " go1.2.linux-amd64.tar.gz": "SHA256SUMS:2: a second, other SHA-256",
	} {
		if _, err := ReadGoChecksums(write(text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %s", text, err, want)
		}
	}
	other := GoChecksums{"go1.2.linux-amd64.tar.gz": sum}
	for _, sums := range []GoChecksums{nil, other} {
		if _, err := scripts(nil, sums); err == nil || !strings.Contains(err.Error(), "needs its tarball's SHA-256") {
			t.Errorf("scripts with checksums %v: %v, want refused", sums, err)
		}
	}
	if _, err := TarballChecksum(filepath.Join(dir, "go.tgz")); err == nil || !strings.Contains(err.Error(), "not named as go.dev names") {
		t.Errorf("TarballChecksum of go.tgz: %v", err)
	}
}
