package grade

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/redis-notebook/tutorial/runner/paths"
)

// TestSnapshotInMovedCache: a build cache copied to another folder (a
// pre-warmed grading image, cp -a) grades the files of the new folder:
// a snapshot whose overlay names the folder it was copied from is written
// again, so the build never reaches back into the old cache.
func TestSnapshotInMovedCache(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	dir := t.TempDir()
	submission(t, dir, "one", "solutions", nil)
	pkg, err := ReadPackage(filepath.Join(dir, "one", "redisbasics"), "one", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("NOTEBOOK_CACHE", first)
	if _, err := snapshot(pkg); err != nil {
		t.Fatal(err)
	}
	copyTree(t, first, second)
	t.Setenv("NOTEBOOK_CACHE", second)
	src, err := snapshot(pkg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := paths.Within(second, src); !ok {
		t.Fatalf("the snapshot is at %s, outside the cache %s", src, second)
	}
	b, err := os.ReadFile(filepath.Join(src, "overlay.json"))
	if err != nil {
		t.Fatal(err)
	}
	var overlay struct{ Replace map[string]string }
	if err := json.Unmarshal(b, &overlay); err != nil || len(overlay.Replace) == 0 {
		t.Fatalf("overlay %s: %v", b, err)
	}
	for graft, file := range overlay.Replace {
		if _, ok := paths.Within(second, file); !ok {
			t.Errorf("the overlay grafts %s from %s, outside the cache in use", graft, file)
		}
	}
}

// copyTree copies the files under from to to, keeping their times.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.Chtimes(dst, info.ModTime(), info.ModTime())
	})
	if err != nil {
		t.Fatal(err)
	}
}
