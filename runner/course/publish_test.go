package course

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis-notebook/tutorial/runner/grade"
)

var root = func() string {
	r, err := filepath.Abs("../..")
	if err != nil {
		panic(err)
	}
	return r
}()

// TestPublish: the copy holds the course without solutions/ or the
// runner's tests, no reference solution's code anywhere in it, and the
// learner's check works there: every exercise not done.
func TestPublish(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "student")
	written, err := Publish(root, dst)
	if err != nil {
		t.Fatal(err)
	}
	copied := map[string][]byte{}
	filepath.WalkDir(dst, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dst, path)
			copied[filepath.ToSlash(rel)], _ = os.ReadFile(path)
		}
		return err
	})
	if len(copied) != len(written) {
		t.Errorf("Publish says it wrote %d files; the copy holds %d", len(written), len(copied))
	}
	for name := range copied {
		if strings.HasPrefix(name, "solutions/") || strings.HasSuffix(name, "_test.go") || strings.Contains(name, "/testdata/") {
			t.Errorf("the copy holds %s", name)
		}
	}
	for _, want := range []string{"go.mod", "go.sum", "README.md", "exercises/exercises.json", "runner/main.go",
		"runner/grade/checks/checks.go", "site/pages.go", "chapters/01-redis.md", ClassroomWorkflow} {
		if copied[want] == nil {
			t.Errorf("the copy has no %s", want)
		}
	}
	// The stubs as the course ships them.
	m, err := grade.LoadManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range m.Exercises() {
		name := "exercises/" + e.Package + "/" + e.File
		stub, _ := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if !bytes.Equal(copied[name], stub) {
			t.Errorf("%s is not the course's stub", name)
		}
	}
	// No reference solution's function body, as written, in any file,
	// but for what the chapters teach (the anagram signature).
	chapters, _ := filepath.Glob(filepath.Join(root, "chapters", "*.md"))
	var taught []byte
	for _, c := range chapters {
		b, _ := os.ReadFile(c)
		taught = append(taught, b...)
	}
	for _, body := range solutionBodies(t) {
		if bytes.Contains(taught, []byte(body.src)) {
			continue
		}
		for name, b := range copied {
			if bytes.Contains(b, []byte(body.src)) {
				t.Errorf("%s holds %s from %s", name, body.fn, body.file)
			}
		}
	}

	// The copy builds, and grades the stubs.
	bin := filepath.Join(t.TempDir(), "runner")
	build := exec.Command("go", "build", "-o", bin, "./runner")
	build.Dir = dst
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the copy does not build: %v\n%s", err, out)
	}
	check := exec.Command(bin, "check", "--json")
	check.Dir = dst
	check.Stderr = os.Stderr
	out, err := check.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("check in the copy: %v, want exit status 1 (not done)\n%s", err, out)
	}
	var rep struct {
		Results []struct {
			Exercise int    `json:"exercise"`
			Status   string `json:"status"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("check --json: %v\n%s", err, out)
	}
	if len(rep.Results) != len(m.Exercises()) {
		t.Fatalf("check graded %d exercises, want %d:\n%s", len(rep.Results), len(m.Exercises()), out)
	}
	for _, e := range rep.Results {
		if e.Status != "not done" {
			t.Errorf("exercise %d: %s, want not done", e.Exercise, e.Status)
		}
	}
}

type solutionBody struct{ file, fn, src string }

// solutionBodies are the reference solutions' function bodies, as
// written.
func solutionBodies(t *testing.T) []solutionBody {
	t.Helper()
	var out []solutionBody
	files, _ := filepath.Glob(filepath.Join(root, "solutions", "*", "*.go"))
	if len(files) == 0 {
		t.Fatal("no solutions/*/*.go")
	}
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && len(fd.Body.List) > 0 {
				body := src[fset.Position(fd.Body.Lbrace).Offset : fset.Position(fd.Body.Rbrace).Offset+1]
				out = append(out, solutionBody{filepath.Base(path), fd.Name.Name, string(body)})
			}
		}
	}
	return out
}

// fakeCourse is a course of go.mod and exercises/, with solutions/.
func fakeCourse(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, sub := range []string{"exercises", "solutions"} {
		err := filepath.WalkDir(filepath.Join(root, sub), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			if d.IsDir() {
				return os.MkdirAll(filepath.Join(dir, rel), 0o755)
			}
			b, err := os.ReadFile(path)
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, rel), b, 0o644)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(root, "go.mod"))
	os.WriteFile(filepath.Join(dir, "go.mod"), b, 0o644)
	return dir
}

// TestPublishSolvedStub: an exercise solved in place in exercises/ is
// not handed out.
func TestPublishSolvedStub(t *testing.T) {
	course := fakeCourse(t)
	if _, err := Publish(course, filepath.Join(t.TempDir(), "ok")); err != nil {
		t.Fatalf("the course's own stubs: %v", err)
	}
	solved, _ := os.ReadFile(filepath.Join(course, "solutions", "redisbasics", "03_letters.go"))
	os.WriteFile(filepath.Join(course, "exercises", "redisbasics", "03_letters.go"), solved, 0o644)
	dst := filepath.Join(t.TempDir(), "student")
	_, err := Publish(course, dst)
	if err == nil || !strings.Contains(err.Error(), "exercises/redisbasics/03_letters.go") || !strings.Contains(err.Error(), "reference solution") {
		t.Fatalf("got %v, want the solved file named", err)
	}
	if _, err := os.Stat(dst); err == nil {
		t.Errorf("%s was written", dst)
	}
}

// TestPublishOverwritesNothing: a folder that holds anything but .git is
// refused, and left as it was; one inside the course too.
func TestPublishOverwritesNothing(t *testing.T) {
	course := fakeCourse(t)
	dst := t.TempDir()
	os.Mkdir(filepath.Join(dst, ".git"), 0o755)
	if _, err := Publish(course, dst); err != nil {
		t.Fatalf("a fresh clone: %v", err)
	}
	dst = t.TempDir()
	os.WriteFile(filepath.Join(dst, "go.mod"), []byte("mine"), 0o644)
	if _, err := Publish(course, dst); err == nil || !strings.Contains(err.Error(), "already holds go.mod") {
		t.Errorf("got %v, want refused", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "go.mod")); string(b) != "mine" {
		t.Errorf("go.mod overwritten: %q", b)
	}
	if _, err := Publish(course, filepath.Join(course, "public")); err == nil {
		t.Error("a copy inside the course was written")
	}
}
