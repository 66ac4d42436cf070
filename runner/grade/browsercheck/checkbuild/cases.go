package checkbuild

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/tools/txtar"

	"github.com/redis-notebook/tutorial/runner/grade"
)

// A Case is one of the grader's own test cases: a learner's package, and
// the exercises of it to check.
type Case struct {
	Name      string            // solutions-redisbasics, or a testdata file's name
	Package   string            // the exercises' package
	Files     map[string][]byte // by path under an exercises folder: redisbasics/02_lists.go
	Exercises []grade.Exercise
}

// GraderCases are the grader's own cases, in the module at root: every
// package's reference solutions and stubs, all of its exercises each, and
// runner/grade/testdata's wrong and right answers, the exercise each
// names (exercise: NAME in its comment) or all of its package's.
func GraderCases(root string, m *grade.Manifest) ([]Case, error) {
	var cases []Case
	for _, p := range m.Packages {
		for _, from := range []string{"solutions", "exercises"} {
			c := Case{Name: from + "-" + p.Package, Package: p.Package, Exercises: p.Exercises, Files: map[string][]byte{}}
			entries, err := os.ReadDir(filepath.Join(root, from, p.Package))
			if err != nil {
				return nil, err
			}
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") {
					b, err := os.ReadFile(filepath.Join(root, from, p.Package, e.Name()))
					if err != nil {
						return nil, err
					}
					c.Files[p.Package+"/"+e.Name()] = b
				}
			}
			cases = append(cases, c)
		}
	}
	byName := map[string]grade.Exercise{}
	for _, e := range m.Exercises() {
		byName[e.Name] = e
	}
	wrong, _ := filepath.Glob(filepath.Join(root, "runner/grade/testdata/wrong/*.txtar"))
	right, _ := filepath.Glob(filepath.Join(root, "runner/grade/testdata/right/*.txtar"))
	for _, path := range append(wrong, right...) {
		a, err := txtar.ParseFile(path)
		if err != nil {
			return nil, err
		}
		c := Case{Name: strings.TrimSuffix(filepath.Base(path), ".txtar"), Files: map[string][]byte{}}
		for _, line := range strings.Split(string(a.Comment), "\n") {
			if v, ok := strings.CutPrefix(line, "exercise: "); ok && v != "all" {
				e, ok := byName[v]
				if !ok {
					return nil, fmt.Errorf("%s: no exercise %q", path, v)
				}
				c.Exercises = []grade.Exercise{e}
				c.Package = e.Package
			}
		}
		for _, f := range a.Files {
			c.Files[f.Name] = f.Data
			if c.Package == "" {
				c.Package = strings.Split(f.Name, "/")[0]
			}
		}
		if m.Package(c.Package) == nil {
			return nil, fmt.Errorf("%s: no package %q in the course", path, c.Package)
		}
		if len(c.Exercises) == 0 {
			c.Exercises = m.Package(c.Package).Exercises
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// Write writes c's files under dir/exercises and returns the folder of
// its package there.
func (c Case) Write(dir string) (string, error) {
	for name, b := range c.Files {
		p := filepath.Join(dir, "exercises", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, "exercises", c.Package), nil
}
