package autograder

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
)

// GoChecksums are the SHA-256 sums of the Go toolchain's tarballs, by
// file name (go1.26.0.linux-amd64.tar.gz), as go.dev/dl lists them: the
// autograder's install_go.sh installs the toolchain it downloads only
// when its sum is the one given here, when the autograder was written.
type GoChecksums map[string]string

var (
	tarballName = regexp.MustCompile(`^go[0-9][0-9a-z.]*\.linux-[a-z0-9]+\.tar\.gz$`)
	sha256Hex   = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// ReadGoChecksums reads a file of checksums as sha256sum writes them, a
// line per tarball: the sum, spaces (and a * for binary mode), the file
// name. Blank lines and lines starting with # are skipped.
func ReadGoChecksums(path string) (GoChecksums, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sums := GoChecksums{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) != 2 {
			return nil, fmt.Errorf("%s:%d: want a SHA-256 and a tarball's name (as sha256sum prints them), got %q", path, line, text)
		}
		sum, name := strings.ToLower(fields[0]), strings.TrimPrefix(filepath.Base(fields[1]), "*")
		if !sha256Hex.MatchString(sum) {
			return nil, fmt.Errorf("%s:%d: %q is not a SHA-256 (64 hexadecimal digits)", path, line, fields[0])
		}
		if !tarballName.MatchString(name) {
			return nil, fmt.Errorf("%s:%d: %q is not a Go toolchain's tarball for Linux (go1.26.0.linux-amd64.tar.gz)", path, line, fields[1])
		}
		if old, ok := sums[name]; ok && old != sum {
			return nil, fmt.Errorf("%s:%d: a second, other SHA-256 for %s", path, line, name)
		}
		sums[name] = sum
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return sums, nil
}

// TarballChecksum computes the SHA-256 of a toolchain tarball the teacher
// downloaded (and checked) already, named as go.dev names it.
func TarballChecksum(path string) (GoChecksums, error) {
	name := filepath.Base(path)
	if !tarballName.MatchString(name) {
		return nil, fmt.Errorf("%s: not named as go.dev names a Go toolchain's tarball for Linux (go1.26.0.linux-amd64.tar.gz)", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return GoChecksums{name: hex.EncodeToString(h.Sum(nil))}, nil
}

// forVersion returns the checksums of version's tarballs, sorted by
// name, or an error saying how to give one: an autograder that could not
// check its download is not written.
func (c GoChecksums) forVersion(version string) ([]checksum, error) {
	var out []checksum
	for _, name := range slices.Sorted(maps.Keys(c)) {
		if strings.HasPrefix(name, version+".linux-") && tarballName.MatchString(name) && sha256Hex.MatchString(c[name]) {
			out = append(out, checksum{Name: name, Sum: c[name]})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the autograder installs %s, and needs its tarball's SHA-256 to check the download: "+
			"give --go-sha256 FILE (lines as sha256sum prints them, e.g. the sum go.dev/dl lists for %s.linux-amd64.tar.gz) "+
			"or --go-tarball FILE (the tarball, downloaded and checked already)", version, version)
	}
	return out, nil
}

type checksum struct{ Name, Sum string }

// goVersion is the toolchain the autograder pins: the runner's own.
var goVersion = runtime.Version()
