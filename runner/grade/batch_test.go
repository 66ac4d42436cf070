package grade

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/grade/verdict"
	"golang.org/x/tools/txtar"
)

// TestShimBatch grades a class whose shims are all new: one go build
// builds those that compile, and each submission's grading finds its shim
// there (a batch's cache entry holds the binary alone, a build of its own
// also its main.go); the submission that does not compile is built alone
// and gets its own verdict, with its errors, and its neighbours theirs.
// Not parallel: it counts the batches of the whole package.
func TestShimBatch(t *testing.T) {
	dir := t.TempDir()
	broken, _ := txtar.ParseFile("testdata/compile-error.txtar")
	wrong, _ := txtar.ParseFile("testdata/wrong/lists-lpush-order.txtar")
	submission(t, dir, "alice", "solutions", nil)
	submission(t, dir, "bob", "exercises", nil)
	submission(t, dir, "dave", "solutions", broken.Files)
	submission(t, dir, "erin", "solutions", wrong.Files)
	builds, shims := batchStats.builds.Load(), batchStats.shims.Load()
	class, err := GradeClass(context.Background(), dir, manifest.Exercises, ClassOptions{Options: options()})
	if err != nil {
		t.Fatal(err)
	}
	if n := batchStats.builds.Load() - builds; n != 1 {
		t.Errorf("%d go builds of batches, want 1", n)
	}
	if n := batchStats.shims.Load() - shims; n != 3 {
		t.Errorf("%d shims built in the batch, want 3 (all but dave's)", n)
	}
	want := map[string]string{"alice": "✓✓✓✓✓✓", "bob": "······", "dave": "✗✓✓✓✓✓", "erin": "✓✗✓✓✓✓"}
	for _, s := range class.Submissions {
		if s.Report == nil {
			t.Fatalf("%s not graded: %v", s.Name, s.Err)
		}
		marks := ""
		for _, r := range s.rows(class.Exercises) {
			marks += map[verdict.Status]string{verdict.Passed: "✓", verdict.NotDone: "·"}[r.Status]
			if r.Status != verdict.Passed && r.Status != verdict.NotDone {
				marks += "✗"
			}
		}
		if marks != want[s.Name] {
			t.Errorf("%s: %s, want %s:\n%s", s.Name, marks, want[s.Name], text(s.Report))
		}
		if s.Name == "dave" {
			if r := s.Report.Results[0]; r.Status != CompileStatus || !strings.Contains(r.Message, "dave/redisbasics/01_json.go:14") {
				t.Errorf("dave's exercise 1: %s %q, want it not to compile at dave/redisbasics/01_json.go:14", r.Status, r.Message)
			}
			continue
		}
		pkg, err := ReadPackage(filepath.Join(dir, s.Name, "redisbasics"), s.Name+"/redisbasics", filepath.Join(dir, s.Name))
		if err != nil {
			t.Fatal(err)
		}
		req, _, err := shimRequest(root, manifest, pkg, classBuilds)
		if err != nil {
			t.Fatal(err)
		}
		key, _ := build.Key(req)
		entry := filepath.Join(build.CacheDir(), req.Name+"-"+key[:16])
		if _, err := os.Stat(filepath.Join(entry, req.Name)); err != nil {
			t.Errorf("%s's shim is not in the cache: %v", s.Name, err)
		}
		if _, err := os.Stat(filepath.Join(entry, "main.go")); err == nil {
			t.Errorf("%s's shim was built alone, not in the batch", s.Name)
		}
	}
}
