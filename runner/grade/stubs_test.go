package grade

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/redis-notebook/tutorial/runner/grade/verdict"
)

// studentCopy copies the module as a student's repository has it: the
// runner and the exercises' stubs, no solutions/.
func studentCopy(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	for _, top := range []string{"go.mod", "go.sum", "runner", "exercises"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			if d.IsDir() {
				if d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return os.MkdirAll(filepath.Join(dst, rel), 0o755)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestBrokenFileWithoutSolutions: in a copy of the course without
// solutions/, a file that does not compile fails its own exercise and the
// others are still graded. A submission graded from elsewhere gets the
// course's stub from exercises/ in the broken file's place, so that a file
// calling its functions still compiles; the learner's own exercises/, whose
// broken file is that stub's place, get none: the broken file's functions
// are left out, and a file calling them with it.
func TestBrokenFileWithoutSolutions(t *testing.T) {
	t.Parallel()
	copyRoot := studentCopy(t)
	if _, err := os.Stat(filepath.Join(copyRoot, "solutions")); err == nil {
		t.Fatal("the copy has solutions/")
	}
	broken, err := txtar.ParseFile("testdata/compile-error.txtar")
	if err != nil {
		t.Fatal(err)
	}
	// One exercise broken, the others solved, and a file that calls the
	// broken file's function.
	fill := func(dir string) {
		writeFiles(t, dir, broken.Files) // redisbasics/01_json.go
		for _, e := range manifest.Exercises[1:] {
			b, err := os.ReadFile(filepath.Join(root, "solutions", manifest.Package, e.File))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, "redisbasics", e.File), b, 0o644)
		}
		os.WriteFile(filepath.Join(dir, "redisbasics", "zz_uses.go"),
			[]byte("package redisbasics\n\nfunc saveNothing() error { return SaveJSON(nil, nil, \"\", nil) }\n"), 0o644)
	}
	opt := options()
	opt.Root = copyRoot
	grade := func(dir string) *Report {
		rep := check(t, dir, manifest.Exercises, opt)
		if rep.Compile != nil {
			t.Fatalf("one broken file sank the package:\n%s", rep.Compile)
		}
		if r := rep.Results[0]; r.Status != CompileStatus || !strings.Contains(r.Message, "01_json.go:") {
			t.Errorf("exercise 1: %s %q, want does not compile at 01_json.go", r.Status, r.Message)
		}
		for _, r := range rep.Results[1:] {
			if r.Status != verdict.Passed {
				t.Errorf("%d %s: %s %q, want passed", r.Exercise, r.Name, r.Status, r.Message)
			}
		}
		return rep
	}

	// A submission from elsewhere (a class, Gradescope): the course's stub
	// stands in, so zz_uses.go compiles.
	elsewhere := t.TempDir()
	fill(elsewhere)
	if rep := grade(filepath.Join(elsewhere, "redisbasics")); len(rep.LeftOut) != 0 {
		t.Errorf("left out %v: the stub from exercises/ declares SaveJSON", rep.LeftOut)
	}

	// The learner's own exercises/ (a GitHub Classroom repository).
	fill(filepath.Join(copyRoot, "exercises"))
	rep := grade(filepath.Join(copyRoot, "exercises", "redisbasics"))
	if len(rep.LeftOut) != 1 || filepath.Base(rep.LeftOut[0].File) != "zz_uses.go" || !strings.Contains(rep.LeftOut[0].Msg, "SaveJSON") {
		t.Errorf("left out %v, want zz_uses.go, which calls the broken file's SaveJSON", rep.LeftOut)
	}
}
