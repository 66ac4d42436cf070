package notebook_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
)

// TestNoValueRemembered: basics.md ends a cell with wg.Wait(), which has
// no value to display. The first build finds out from the compiler, after
// a build that fails; later builds must go straight to the program that
// compiles. They once compiled the failing one first every time: seconds
// on a busy machine, and the progress line a test did not expect.
func TestNoValueRemembered(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("NOTEBOOK_CACHE", cache)
	ch, err := chapter.Load("testdata/basics.md")
	if err != nil {
		t.Fatal(err)
	}
	opt := notebook.Options{Root: root(t)}
	bin, err := notebook.Executable(context.Background(), ch, opt)
	if err != nil {
		t.Fatal(err)
	}
	// The failed build left its source in the cache, and no binary.
	failed := failedBuilds(t, cache)
	if len(failed) != 1 {
		t.Fatalf("failed builds in the cache: %v, want the one that displayed wg.Wait()", failed)
	}
	os.RemoveAll(failed[0])
	again, err := notebook.Executable(context.Background(), ch, opt)
	if err != nil || again != bin {
		t.Fatalf("building again: %q, %v; want %q", again, err, bin)
	}
	if failed := failedBuilds(t, cache); len(failed) != 0 {
		t.Errorf("building again compiled the failing program again: %v", failed)
	}
	noValue, err := notebook.NoDisplay(context.Background(), ch, root(t), chapter.Miniredis, nil)
	if err != nil || len(noValue) != 1 || !noValue[3] {
		t.Errorf("NoDisplay = %v, %v; want cell 3 alone", noValue, err)
	}
}

// failedBuilds lists the chapter program folders of the cache that hold
// no binary.
func failedBuilds(t *testing.T, cache string) []string {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(cache, "chapter-basics-*"))
	var failed []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "chapter-basics")); err != nil {
			failed = append(failed, d)
		}
	}
	return failed
}
