// Package course writes what a teacher hands out: the student-facing copy
// of the course (Publish), with a GitHub Classroom workflow that grades it
// on every push (Classroom), and the Gradescope autograder (Gradescope).
//
// What "hidden" means today: nothing of the grader is hidden from a
// student. The checks run on the student's own machine (check), so their
// source, runner/grade/checks, ships with every copy; the cases they try
// are generated from a seed. What a student's copy leaves out is what
// would hand over the answers: the reference solutions (solutions/), and
// the runner's own tests and test data, which read solutions/ and hold
// correct answers of their own (runner/grade/testdata/right). A check
// meant to stay hidden would have to live outside runner/ and outside the
// copy; none does yet.
package course

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/paths"
)

// Shipped are the module's top-level entries a student's copy holds; the
// rest (solutions/, .ci/, the site's output) stays with the teacher.
var Shipped = []string{"README.md", "go.mod", "go.sum", ".gitignore", "chapters", "exercises", "runner", "site"}

// leftOut says whether a file or folder under a shipped entry stays out
// of the copy: tests and test data (they read solutions/ and hold
// correct answers), files the go command ignores, and editors' and
// reset's leftovers.
func leftOut(rel string, d fs.DirEntry) bool {
	name := d.Name()
	if d.IsDir() {
		return name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
	}
	return strings.HasSuffix(name, "_test.go") || strings.Contains(name, ".bak-") ||
		strings.HasSuffix(name, "~") || (strings.HasPrefix(name, ".") && rel != ".gitignore")
}

// Publish writes the student-facing copy of the course at root into dst,
// which must not exist, be empty, or hold only a .git folder (a fresh
// clone of the repository students will get): nothing there is
// overwritten. With the copy comes the GitHub Classroom workflow
// (.github/workflows/classroom.yml). It returns the files written, by
// their paths in dst, slash-separated.
func Publish(root, dst string) ([]string, error) {
	m, err := grade.LoadManifest(root)
	if err != nil {
		return nil, err
	}
	if _, ok := paths.Within(paths.Resolved(root), paths.Resolved(dst)); ok {
		return nil, fmt.Errorf("%s is inside the course at %s: publish the copy elsewhere", dst, root)
	}
	if err := emptyTarget(dst); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, top := range Shipped {
		src := filepath.Join(root, top)
		if _, err := os.Lstat(src); errors.Is(err, fs.ErrNotExist) && top != "go.mod" && top != "exercises" {
			continue // a course without a site, say
		}
		err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			if path != src && leftOut(rel, d) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if !d.Type().IsRegular() {
				return fmt.Errorf("%s: not a regular file; the copy holds files only", path)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files[rel] = b
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	workflow, err := Classroom(m)
	if err != nil {
		return nil, err
	}
	files[ClassroomWorkflow] = workflow
	if err := noSolutions(root, files); err != nil {
		return nil, err
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range files {
			if !yield(n) {
				return
			}
		}
	})
	for _, n := range names {
		p := filepath.Join(dst, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// emptyTarget checks that dst holds nothing Publish could overwrite.
func emptyTarget(dst string) error {
	entries, err := os.ReadDir(dst)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() != ".git" {
			return fmt.Errorf("%s already holds %s: publish into a new folder, an empty one or a fresh clone (nothing is overwritten)", dst, e.Name())
		}
	}
	return nil
}

// noSolutions refuses a copy in which a function of the reference
// solutions appears, body and all: an exercise file in exercises/ that
// was solved in place (a teacher trying the course) would otherwise be
// handed to every student.
func noSolutions(root string, files map[string][]byte) error {
	bodies := map[string]string{} // printed body -> where in solutions/
	solutions := filepath.Join(root, "solutions")
	err := filepath.WalkDir(solutions, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == solutions {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		return eachBody(path, nil, func(name, body string) { bodies[body] = filepath.ToSlash(rel) + ": " + name })
	})
	if err != nil {
		return err
	}
	for name, b := range files {
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		var leak error
		eachBody(name, b, func(fn, body string) {
			if where, ok := bodies[body]; ok && leak == nil {
				leak = fmt.Errorf("%s: %s is the reference solution's (%s): put the stub back (go run ./runner reset) before publishing", name, fn, where)
			}
		})
		if leak != nil {
			return leak
		}
	}
	return nil
}

// eachBody calls f with the name and printed body of every function in
// a Go file that has a body.
func eachBody(path string, src []byte, f func(name, body string)) error {
	if src == nil {
		var err error
		if src, err = os.ReadFile(path); err != nil {
			return err
		}
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		return nil // not the copy's concern: the build says what is wrong
	}
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil || len(fd.Body.List) == 0 {
			continue
		}
		var b bytes.Buffer
		printer.Fprint(&b, fset, fd.Body)
		f(fd.Name.Name, b.String())
	}
	return nil
}
