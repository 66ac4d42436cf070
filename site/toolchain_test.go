package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackFile: a toolchain file is compressed once, with zstd where the
// command is installed and with gzip where it is not (what the README
// promises), and decompresses to the file; a second call reuses it.
func TestPackFile(t *testing.T) {
	data := bytes.Repeat([]byte("the archives of the in-page compiler "), 4096)
	write := func() string {
		p := filepath.Join(t.TempDir(), "archives.bin")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("without zstd", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir()) // no zstd on it
		p := write()
		packed, err := packFile(context.Background(), p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if packed != p+".gz" {
			t.Fatalf("packed as %s, want %s.gz", packed, p)
		}
		f, err := os.Open(packed)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, data) {
			t.Errorf("the .gz holds %d bytes (%v), not the file's %d", len(got), err, len(data))
		}
	})

	t.Run("with zstd", func(t *testing.T) {
		zstd, err := exec.LookPath("zstd")
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("no zstd, which CI installs:", err)
			}
			t.Skip("no zstd command: apt-get install zstd to test the site's compression")
		}
		p := write()
		packed, err := packFile(context.Background(), p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(packed, ".bin.zst") {
			t.Fatalf("packed as %s, want a .zst", packed)
		}
		got, err := exec.Command(zstd, "-d", "-c", packed).Output()
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("the .zst decompresses to %d bytes (%v), not the file's %d", len(got), err, len(data))
		}
		// Kept: a second call compresses nothing again.
		st, _ := os.Stat(packed)
		if again, err := packFile(context.Background(), p, nil); err != nil || again != packed {
			t.Fatalf("packed again as %s (%v)", again, err)
		}
		if st2, _ := os.Stat(packed); !st2.ModTime().Equal(st.ModTime()) {
			t.Error("the second call wrote the .zst again")
		}
	})
}
