package grade

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/redis-notebook/tutorial/runner/grade/verdict"
)

// TestCacheBesideCheckout grades a submission with one broken file while
// the build cache sits beside the checkout, its name starting with the
// checkout's (~/course and ~/course-cache): the go command then writes
// the cache's files as ".-cache/…", and a grader comparing paths as
// strings could not tell which file broke, failing every exercise and
// naming the cache's copy.
func TestCacheBesideCheckout(t *testing.T) {
	cache, err := os.MkdirTemp(filepath.Dir(root), filepath.Base(root)+"-cache")
	if err != nil {
		t.Skipf("cannot make a folder beside the checkout: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(cache) })
	if !strings.HasPrefix(cache, root) {
		t.Fatalf("%s does not start with %s", cache, root)
	}
	t.Setenv("NOTEBOOK_CACHE", cache)

	dir := t.TempDir()
	broken, err := txtar.ParseFile("testdata/compile-error.txtar")
	if err != nil {
		t.Fatal(err)
	}
	submission(t, dir, "alice", "solutions", broken.Files)
	rep := check(t, filepath.Join(dir, "alice", "redisbasics"), manifest.Exercises, options())
	out := text(rep)
	if strings.Contains(out, "-cache") || strings.Contains(out, "sources/grade") {
		t.Errorf("the report names the build cache's copy:\n%s", out)
	}
	brokenFile := filepath.Base(broken.Files[0].Name)
	for i, r := range rep.Results {
		want := verdict.Passed
		if manifest.Exercises[i].File == brokenFile {
			want = CompileStatus
			if !strings.HasPrefix(r.Where, filepath.Join(dir, "alice", "redisbasics", brokenFile)+":") {
				t.Errorf("exercise %d: at %q, want the student's %s", r.Exercise, r.Where, brokenFile)
			}
		}
		if r.Status != want {
			t.Errorf("exercise %d: %s (%s), want %s", r.Exercise, r.Status, r.Message, want)
		}
	}
	if got, want := rep.Passed(), len(manifest.Exercises)-1; got != want {
		t.Errorf("%d of %d passed, want %d:\n%s", got, len(manifest.Exercises), want, out)
	}
}
