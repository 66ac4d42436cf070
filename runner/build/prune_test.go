package build

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A build that another process has started, and not finished, survives a
// prune however many newer builds there are: removing it would pull the
// sources from under that process's compiler. Old finished builds go.
func TestPruneSparesBuildsUnderWay(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("NOTEBOOK_CACHE", cache)
	mk := func(dir string, finished bool, age time.Duration) string {
		d := filepath.Join(CacheDir(), dir)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(d, "main.go"), []byte("package main\n"), 0o644)
		if finished {
			os.WriteFile(filepath.Join(d, "prog"), nil, 0o755)
		}
		when := time.Now().Add(-age)
		os.Chtimes(d, when, when)
		return d
	}
	underWay := mk("prog-underway", false, 10*time.Minute)
	abandoned := mk("prog-abandoned", false, 2*time.Hour)
	var finished []string
	for i, name := range []string{"prog-a", "prog-b", "prog-c", "prog-d", "prog-e"} {
		finished = append(finished, mk(name, true, time.Duration(i+1)*time.Minute))
	}
	keep := mk("prog-new", true, 0)
	prune("prog", keep)

	exists := func(d string) bool { _, err := os.Stat(d); return err == nil }
	if !exists(underWay) {
		t.Error("prune removed a build still under way")
	}
	if exists(abandoned) {
		t.Error("prune kept an unfinished build abandoned two hours ago")
	}
	if !exists(keep) {
		t.Error("prune removed the build it was told to keep")
	}
	kept := 0
	for _, d := range finished {
		if exists(d) {
			kept++
		}
	}
	if kept != keepBuilds-1 {
		t.Errorf("prune kept %d older finished builds, want %d", kept, keepBuilds-1)
	}
	for _, d := range finished[:keepBuilds-1] {
		if !exists(d) {
			t.Errorf("prune removed %s, one of the newest", filepath.Base(d))
		}
	}
}
