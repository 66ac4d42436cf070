package site

import (
	"path/filepath"
	"testing"

	"github.com/redis-notebook/tutorial/runner/grade"
)

// TestExercisesOfEveryPackage: the course's manifest holds a package per
// chapter, and the site makes a page for every exercise of each, with its
// stub and solution from that package's folders.
func TestExercisesOfEveryPackage(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	m, err := grade.LoadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	b := &builder{opt: Options{Root: root}}
	if err := b.loadExercises(); err != nil {
		t.Fatal(err)
	}
	all := m.Exercises()
	if len(m.Packages) < 2 || len(b.exercises) != len(all) {
		t.Fatalf("%d packages, %d pages for %d exercises", len(m.Packages), len(b.exercises), len(all))
	}
	for i, page := range b.exercises {
		e := all[i]
		if want := "exercises/" + e.Package + "/" + e.File; page.File != want || page.Package != e.Package {
			t.Errorf("exercise %d: page of %s (package %s), want %s", e.ID, page.File, page.Package, want)
		}
		if page.Solution == "" || len(page.Decls) < len(e.Funcs) {
			t.Errorf("exercise %d: the page lacks its solution or its functions", e.ID)
		}
	}
}
