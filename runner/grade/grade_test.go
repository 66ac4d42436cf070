package grade

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/grade/checks"
	"github.com/redis-notebook/tutorial/runner/grade/verdict"
)

var (
	root   string
	course *Manifest // every package's exercises
	// manifest is chapter 1's package, on which the tests of the
	// grader's own behaviour run.
	manifest *PackageExercises
	seed     uint64 // of the generated cases, the same for the whole run
)

func TestMain(m *testing.M) {
	var err error
	if root, err = filepath.Abs("../.."); err == nil {
		course, err = LoadManifest(root)
	}
	if err == nil {
		if manifest = course.Package("redisbasics"); manifest == nil {
			err = fmt.Errorf("%s: no package redisbasics", ManifestPath)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// A new seed each run, printed, so that a failure can be replayed
	// with GRADE_SEED.
	seed = rand.Uint64()
	if s, err := strconv.ParseUint(os.Getenv("GRADE_SEED"), 10, 64); err == nil {
		seed = s
	}
	fmt.Printf("grade tests: GRADE_SEED=%d\n", seed)
	start := time.Now()
	code := m.Run()
	// The tests' harnesses stay in the build cache for the next run;
	// those this run did not use are from older checks or cases.
	stale, _ := filepath.Glob(filepath.Join(build.CacheDir(), testBuilds+"*"))
	for _, d := range stale {
		if st, err := os.Stat(d); err == nil && st.ModTime().Before(start) {
			os.RemoveAll(d)
		}
	}
	os.Exit(code)
}

// testBuilds prefixes the names of the tests' builds in the build cache.
const testBuilds = "gradetest"

// options grade on a fresh miniredis per exercise, in builds of their
// own, so that tests running at once never prune each other's.
func options() Options {
	return Options{Root: root, Isolated: testBuilds, RunConfig: RunConfig{Seed: seed}}
}

func check(t *testing.T, dir string, exercises []Exercise, opt Options) *Report {
	t.Helper()
	rep, _, err := Check(context.Background(), dir, exercises, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// text renders the report as the check command shows it.
func text(r *Report) string {
	var b bytes.Buffer
	r.WriteText(&b, TextOptions{CheckCommand: "go run ./runner check"})
	return b.String()
}

func TestSolutionsPass(t *testing.T) {
	t.Parallel()
	for _, p := range course.Packages {
		t.Run(p.Package, func(t *testing.T) {
			t.Parallel()
			rep := check(t, filepath.Join(root, "solutions", p.Package), p.Exercises, options())
			if !rep.OK() {
				t.Fatalf("the reference solutions do not all pass:\n%s", text(rep))
			}
			want := 0
			for _, e := range p.Exercises {
				want += e.Points
			}
			if got := rep.Points(); got != want {
				t.Errorf("points = %d, want %d", got, want)
			}
		})
	}
}

// TestStubsNotDone grades the learner's untouched stubs: every exercise
// must be "not done", and none "failed". A learner who has started on
// the exercises has changed some; those are left out, except in CI,
// where the stubs must be as committed.
func TestStubsNotDone(t *testing.T) {
	t.Parallel()
	for _, p := range course.Packages {
		t.Run(p.Package, func(t *testing.T) {
			t.Parallel()
			stubsNotDone(t, p)
		})
	}
}

func stubsNotDone(t *testing.T, p *PackageExercises) {
	dir := filepath.Join(root, "exercises", p.Package)
	var untouched []Exercise
	for _, e := range p.Exercises {
		if stubUntouched(t, filepath.Join(dir, e.File), e.Funcs) {
			untouched = append(untouched, e)
		} else if os.Getenv("CI") == "true" {
			t.Errorf("%s: not a stub: every function of an exercise must only return its not-done error", e.File)
		} else {
			t.Logf("%s has been edited: its stubs are not checked", e.File)
		}
	}
	if len(untouched) == 0 {
		t.Skip("every exercise has been edited")
	}
	rep := check(t, dir, untouched, options())
	if rep.Compile != nil {
		t.Fatalf("the stubs do not compile:\n%s", rep.Compile)
	}
	for _, r := range rep.Results {
		if r.Status != verdict.NotDone {
			t.Errorf("%d %s: %s %q, want not done", r.Exercise, r.Name, r.Status, r.Message)
		}
	}
	if rep.OK() {
		t.Error("the stubs pass")
	}
	if s := text(rep); !strings.Contains(s, fmt.Sprintf("progress: 0/%d", len(p.Exercises))) && len(untouched) == len(p.Exercises) && len(untouched) > 1 {
		t.Errorf("no progress line:\n%s", s)
	}
}

// stubUntouched says whether each of funcs in file only returns an error
// that starts "not done yet".
func stubUntouched(t *testing.T, file string, funcs []string) bool {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		return false
	}
	left := slices.Clone(funcs)
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || !slices.Contains(funcs, fd.Name.Name) {
			continue
		}
		if len(fd.Body.List) != 1 {
			return false
		}
		ret, ok := fd.Body.List[0].(*ast.ReturnStmt)
		if !ok || len(ret.Results) == 0 {
			return false
		}
		call, ok := ret.Results[len(ret.Results)-1].(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return false
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || !strings.HasPrefix(lit.Value, `"`+verdict.NotDonePrefix) {
			return false
		}
		left = slices.DeleteFunc(left, func(n string) bool { return n == fd.Name.Name })
	}
	return len(left) == 0
}

// TestManifest keeps the manifest, the checks, the stubs and the solutions
// in step, as rustlings' project_consistency checks its info.toml against
// its exercises.
func TestManifest(t *testing.T) {
	for _, p := range courseProblems(course) {
		t.Errorf("%s: %s", ManifestPath, p)
	}
}

// courseProblems lists, one line each, where m and the course part ways:
// the registered checks (checks.Disagreements), ids that do not count from
// 1 in order, an exercise without a title, hint, points or a file named by
// its id, and functions that the stub and the solution do not both
// declare, with one signature and one doc comment that starts with the
// function's name.
func courseProblems(m *Manifest) []string {
	all := m.Exercises()
	var out []string
	for _, d := range checks.Disagreements(checkerExercises(all)) {
		out = append(out, "package checks disagrees: "+d)
	}
	for i, e := range all {
		if e.ID != i+1 {
			out = append(out, fmt.Sprintf("exercise %d %q has id %d: ids count from 1 in order", i+1, e.Name, e.ID))
		}
		if e.Title == "" || e.Hint == "" || e.Points <= 0 || !strings.HasPrefix(e.File, fmt.Sprintf("%02d_", e.ID)) {
			out = append(out, fmt.Sprintf("exercise %d needs a title, a hint, points and a file named %02d_*.go", e.ID, e.ID))
		}
		stub, err := funcDecls(filepath.Join(root, "exercises", e.Package, e.File))
		if err != nil {
			out = append(out, err.Error())
			continue
		}
		ref, err := funcDecls(filepath.Join(root, "solutions", e.Package, e.File))
		if err != nil {
			out = append(out, err.Error())
			continue
		}
		for _, fn := range e.Funcs {
			s, r := stub[fn], ref[fn]
			if s == nil || r == nil {
				out = append(out, fmt.Sprintf("%s: %s must be declared in both exercises/ and solutions/", e.File, fn))
				continue
			}
			if s.sig != r.sig {
				out = append(out, fmt.Sprintf("%s: %s has signature\n\t%s\nin exercises/ but\n\t%s\nin solutions/", e.File, fn, s.sig, r.sig))
			}
			if os.Getenv("CI") == "true" && s.doc != r.doc {
				out = append(out, fmt.Sprintf("%s: %s's doc comment differs between exercises/ and solutions/", e.File, fn))
			}
			if !strings.HasPrefix(s.doc, fn+" ") {
				out = append(out, fmt.Sprintf("%s: %s's doc comment must start with its name", e.File, fn))
			}
		}
	}
	return out
}

// checkerExercises are exercises as the grader tells the checker them.
func checkerExercises(all []Exercise) []checks.Exercise {
	var out []checks.Exercise
	for _, e := range all {
		out = append(out, checks.Exercise{ID: e.ID, Name: e.Name, Funcs: e.Funcs})
	}
	return out
}

// TestManifestDisagrees: a manifest that parts ways with the registered
// checks, or with the course's order, is caught, each way, so that
// TestManifest can fail.
func TestManifestDisagrees(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(root, ManifestPath))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(m *Manifest)
		want string
	}{
		{"an exercise without a check", func(m *Manifest) {
			p := m.Packages[len(m.Packages)-1]
			p.Exercises = append(p.Exercises, Exercise{ID: 99, Name: "sorted-sets", File: "99_sorted_sets.go", Funcs: []string{"Rank"}})
		}, `exercise 99 "sorted-sets" has no check registered by its name`},
		{"a check without an exercise", func(m *Manifest) {
			m.Packages[0].Exercises = m.Packages[0].Exercises[1:]
		}, `the check "json" has no exercise of that name`},
		{"a renamed exercise", func(m *Manifest) {
			m.Packages[0].Exercises[2].Name = "letter-counts"
		}, `exercise 3 "letter-counts" has no check registered by its name`},
		{"an exercise without functions", func(m *Manifest) {
			m.Packages[1].Exercises[0].Funcs = nil
		}, `exercise 7 "leaderboard" names no functions`},
		{"two exercises swapped", func(m *Manifest) {
			ex := m.Packages[0].Exercises
			ex[0], ex[1] = ex[1], ex[0]
		}, `exercise 1 "lists" has id 2: ids count from 1 in order`},
		{"another id", func(m *Manifest) {
			m.Packages[0].Exercises[2].ID = 30
		}, `exercise 30 needs a title, a hint, points and a file named 30_*.go`},
		{"a function the stub lacks", func(m *Manifest) {
			m.Packages[0].Exercises[0].Funcs = append(m.Packages[0].Exercises[0].Funcs, "DeleteJSON")
		}, `01_json.go: DeleteJSON must be declared in both exercises/ and solutions/`},
	} {
		m, err := parseManifest(ManifestPath, src)
		if err != nil {
			t.Fatal(err)
		}
		tc.edit(m)
		got := courseProblems(m)
		if !slices.ContainsFunc(got, func(p string) bool { return strings.HasSuffix(p, tc.want) }) {
			t.Errorf("%s: problems %q, want %q among them", tc.name, got, tc.want)
		}
	}
}

type decl struct{ sig, doc string }

func funcDecls(file string) (map[string]*decl, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	out := map[string]*decl{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			var b bytes.Buffer
			printer.Fprint(&b, fset, fd.Type)
			out[fd.Name.Name] = &decl{sig: b.String(), doc: fd.Doc.Text()}
		}
	}
	return out, nil
}

// A testCase is one file of testdata/wrong or testdata/right: a package
// (usually one exercise's file), the exercise it answers, and what the
// grader must say of it.
type testCase struct {
	name     string
	exercise string // a name, or "all"
	status   verdict.Status
	wants    []string // in what check prints for the exercise
	files    []txtar.File
}

func loadCases(t *testing.T, patterns ...string) []*testCase {
	var cases []*testCase
	for _, p := range patterns {
		paths, _ := filepath.Glob(p)
		for _, path := range paths {
			a, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			c := &testCase{name: strings.TrimSuffix(filepath.Base(path), ".txtar"), files: a.Files}
			for _, line := range strings.Split(string(a.Comment), "\n") {
				k, v, ok := strings.Cut(line, ": ")
				switch {
				case !ok:
				case k == "exercise":
					c.exercise = v
				case k == "status":
					c.status = verdict.Status(v)
				case k == "want":
					c.wants = append(c.wants, v)
				}
			}
			if c.exercise == "" || c.status == "" {
				t.Fatalf("%s: needs exercise: and status: lines", path)
			}
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		t.Fatalf("no cases in %v", patterns)
	}
	return cases
}

// rounds groups cases into packages to build: each round holds at most
// one case per exercise, whose files are distinct, so that one build
// grades several wrong answers at once.
func rounds(cases []*testCase) [][]*testCase {
	var out [][]*testCase
	used := []map[string]bool{}
	for _, c := range cases {
		if c.exercise == "all" {
			out = append(out, []*testCase{c})
			used = append(used, map[string]bool{"all": true})
			continue
		}
		i := slices.IndexFunc(used, func(u map[string]bool) bool { return !u[c.exercise] && !u["all"] })
		if i < 0 {
			out = append(out, nil)
			used = append(used, map[string]bool{})
			i = len(out) - 1
		}
		out[i] = append(out[i], c)
		used[i][c.exercise] = true
	}
	return out
}

// writeFiles writes txtar files under dir.
func writeFiles(t *testing.T, dir string, files []txtar.File) {
	for _, f := range files {
		p := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCases grades every wrong answer in testdata/wrong, which must fail
// with the message its file names, and every correct answer in
// testdata/right that differs from the reference, which must pass.
func TestCases(t *testing.T) {
	cases := loadCases(t, "testdata/wrong/*.txtar", "testdata/right/*.txtar")
	byName := map[string]Exercise{}
	for _, e := range course.Exercises() {
		byName[e.Name] = e
	}
	for i, round := range rounds(cases) {
		t.Run(fmt.Sprintf("round%d", i+1), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			var exercises []Exercise
			for _, c := range round {
				writeFiles(t, dir, c.files)
				if c.exercise == "all" {
					exercises = manifest.Exercises
				} else if e, ok := byName[c.exercise]; ok {
					exercises = append(exercises, e)
				} else {
					t.Fatalf("%s: no exercise %q", c.name, c.exercise)
				}
			}
			slices.SortFunc(exercises, func(a, b Exercise) int { return a.ID - b.ID })
			// A round may hold cases of several chapters' packages: each
			// is graded on its own.
			var reps []*Report
			for _, set := range course.ByPackage(exercises) {
				pkg, err := FindPackage(dir, set.Package)
				if err != nil {
					t.Fatal(err)
				}
				r := check(t, pkg, set.Exercises, options())
				if r.Compile != nil {
					t.Fatalf("does not compile:\n%s", r.Compile)
				}
				reps = append(reps, r)
			}
			rep := Combine(reps)
			for _, c := range round {
				t.Run(c.name, func(t *testing.T) {
					for i, res := range rep.Results {
						if c.exercise != "all" && res.Name != c.exercise {
							continue
						}
						one := &Report{Package: rep.Package, Exercises: rep.Exercises[i : i+1], Results: rep.Results[i : i+1]}
						out := text(one)
						if res.Status != c.status {
							t.Errorf("%d %s: %s, want %s:\n%s", res.Exercise, res.Name, res.Status, c.status, out)
							continue
						}
						for _, w := range c.wants {
							if !strings.Contains(squeeze(out), squeeze(w)) {
								t.Errorf("%d %s: the grader does not say %q:\n%s", res.Exercise, res.Name, w, out)
							}
						}
					}
				})
			}
		})
	}
}

// squeeze makes runs of white space one space: wrapping and alignment
// are not what the cases test.
func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestCompileError: a learner's file that does not compile fails its own
// exercise, with the compiler's message at the learner's own file and
// line; the other exercises are graded with its stub in its place.
func TestCompileError(t *testing.T) {
	t.Parallel()
	a, err := txtar.ParseFile("testdata/compile-error.txtar")
	if err != nil {
		t.Fatal(err)
	}
	var line int
	fmt.Sscanf(strings.TrimSpace(string(a.Comment[bytes.LastIndex(a.Comment, []byte("line: ")):])), "line: %d", &line)
	dir := t.TempDir()
	writeFiles(t, dir, a.Files)
	// The reference solutions for the other exercises: they still pass.
	for _, e := range manifest.Exercises[1:] {
		b, _ := os.ReadFile(filepath.Join(root, "solutions", manifest.Package, e.File))
		os.WriteFile(filepath.Join(dir, "redisbasics", e.File), b, 0o644)
	}
	rep := check(t, filepath.Join(dir, "redisbasics"), manifest.Exercises, options())
	if rep.Compile != nil {
		t.Fatalf("one broken file sank the package:\n%s", rep.Compile)
	}
	want := filepath.Join(dir, "redisbasics", "01_json.go")
	r := rep.Results[0]
	if r.Status != CompileStatus || r.Where != fmt.Sprintf("%s:%d", want, line) ||
		!strings.HasPrefix(r.Message, fmt.Sprintf("does not compile: %s:%d:", want, line)) {
		t.Errorf("exercise 1: %s %q at %s, want does not compile at %s:%d", r.Status, r.Message, r.Where, want, line)
	}
	for _, r := range rep.Results[1:] {
		if r.Status != verdict.Passed {
			t.Errorf("%d %s: %s %q, want passed: the broken file is exercise 1's only", r.Exercise, r.Name, r.Status, r.Message)
		}
	}
	if out := text(rep); !strings.Contains(out, "✗ 1 json") || !strings.Contains(out, "progress: 5/6") {
		t.Errorf("check shows:\n%s", out)
	}
}

// TestPackageMain: a program cannot be imported by the shim; the grader
// says so at the learner's file, without building it.
func TestPackageMain(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "01_json.go"), []byte("package main\n\nfunc main() {}\n"), 0o644)
	rep := check(t, dir, manifest.Exercises[:1], options())
	if rep.Compile != nil || len(rep.Results) != 1 || rep.Results[0].Status != CompileStatus ||
		!strings.Contains(rep.Results[0].Message, filepath.Join(dir, "01_json.go")+":1: package main is a program") {
		t.Fatalf("got %v %+v, want exercise 1 failed at %s", rep.Compile, rep.Results, filepath.Join(dir, "01_json.go"))
	}
}

// TestCrashes: a panic, a hang, a crash of the whole program and
// log.Fatal each fail their own exercise, and the others are still graded.
func TestCrashes(t *testing.T) {
	t.Parallel()
	a, err := txtar.ParseFile("testdata/crash.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFiles(t, dir, a.Files)
	opt := options()
	opt.Timeout = 2 * time.Second
	rep := check(t, filepath.Join(dir, "redisbasics"), manifest.Exercises, opt)
	file := func(name string) string { return filepath.Join(dir, "redisbasics", name) }
	want := []struct {
		status          verdict.Status
		message, detail string
	}{
		{verdict.Failed, "SaveJSON panicked: runtime error: index out of range [3] with length 0", file("01_json.go") + ":11"},
		{verdict.Failed, "PushFront left the list", "pushing [a b c]"},
		{verdict.Failed, "the program crashed: assignment to entry in nil map", file("03_letters.go") + ":13"},
		{verdict.Failed, "BigAnagramLists did not finish within 2s", "SCAN 0 match Anagram:* count 10"},
		{verdict.Failed, "the program stopped before the exercise was graded", "only 0 groups"},
		{verdict.NotDone, "not done yet", ""},
	}
	out := text(rep)
	for i, r := range rep.Results {
		w := want[i]
		if r.Status != w.status || !strings.HasPrefix(r.Message, w.message) {
			t.Errorf("%d %s: %s %q, want %s %q", r.Exercise, r.Name, r.Status, r.Message, w.status, w.message)
		}
		if w.detail != "" && !strings.Contains(squeeze(out), squeeze(w.detail)) {
			t.Errorf("%d %s: the report does not say %q", r.Exercise, r.Name, w.detail)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
	// The hang takes its time limit; the others run beside it, and none
	// waits for it. (Compared with the hang's own time, not the limit:
	// on a busy machine an exercise takes longer than its counted time.)
	hang := rep.Results[3]
	for _, r := range rep.Results {
		if r.Exercise != hang.Exercise && r.Duration >= hang.Duration {
			t.Errorf("%d %s took %s, the hang %s", r.Exercise, r.Name, r.Duration, hang.Duration)
		}
	}
}

func TestJSONReport(t *testing.T) {
	t.Parallel()
	rep := check(t, filepath.Join(root, "solutions", manifest.Package), manifest.Exercises[:2], options())
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Compiled bool `json:"compiled"`
		Points   int  `json:"points"`
		Results  []struct {
			Exercise int      `json:"exercise"`
			Passed   bool     `json:"passed"`
			Points   *int     `json:"points"`
			Message  *string  `json:"message"`
			Duration *float64 `json:"duration"`
		} `json:"results"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.Compiled || doc.Points != 2 || len(doc.Results) != 2 {
		t.Fatalf("report:\n%s", b.String())
	}
	for i, r := range doc.Results {
		if r.Exercise != i+1 || !r.Passed || r.Points == nil || *r.Points != 1 || r.Message == nil || r.Duration == nil || *r.Duration <= 0 {
			t.Errorf("result %d lacks exercise, passed, points, message or duration:\n%s", i, b.String())
		}
	}
}

func TestSelect(t *testing.T) {
	for arg, want := range map[string]int{"3": 3, "letters": 3, "Anagram-Hash": 5, "7": 7, "leaderboard": 7, "": 0} {
		got, err := course.Select(arg)
		switch {
		case err != nil:
			t.Errorf("Select(%q): %v", arg, err)
		case want == 0 && len(got) != len(course.Exercises()):
			t.Errorf("Select(%q) = %d exercises, want all", arg, len(got))
		case want != 0 && (len(got) != 1 || got[0].ID != want):
			t.Errorf("Select(%q) = %v, want exercise %d", arg, got, want)
		}
	}
	if _, err := course.Select("99"); err == nil || !strings.Contains(err.Error(), "1 json") || !strings.Contains(err.Error(), "7 leaderboard") {
		t.Errorf("Select(99): %v, want an error listing every package's exercises", err)
	}
}

// submission makes a student's folder from a tree of the module (or
// nothing) and txtar files, with a comment of its own, so that its build
// is its own too.
func submission(t testing.TB, dir, name, from string, files []txtar.File) {
	sub := filepath.Join(dir, name, "redisbasics")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if from != "" {
		src := filepath.Join(root, from, "redisbasics")
		entries, _ := os.ReadDir(src)
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(src, e.Name()))
			os.WriteFile(filepath.Join(sub, e.Name()), b, 0o644)
		}
	}
	for _, f := range files {
		os.WriteFile(filepath.Join(sub, filepath.Base(f.Name)), f.Data, 0o644)
	}
	note := fmt.Sprintf("package redisbasics\n\n// Handed in by %s (%d).\n", name, rand.Int())
	os.WriteFile(filepath.Join(sub, "zz_note.go"), []byte(note), 0o644)
}

func TestGradeClass(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	crash, _ := txtar.ParseFile("testdata/crash.txtar")
	broken, _ := txtar.ParseFile("testdata/compile-error.txtar")
	wrong, _ := txtar.ParseFile("testdata/wrong/lists-lpush-order.txtar")
	submission(t, dir, "alice", "solutions", nil)
	submission(t, dir, "bob", "exercises", nil)
	submission(t, dir, "carol", "", crash.Files)
	submission(t, dir, "dave", "exercises", broken.Files)
	submission(t, dir, "erin", "solutions", wrong.Files)
	os.MkdirAll(filepath.Join(dir, "frank"), 0o755) // handed in nothing

	opt := ClassOptions{Options: options()}
	opt.Timeout = 2 * time.Second
	class, err := GradeClass(context.Background(), dir, manifest.Exercises, opt)
	if err != nil {
		t.Fatal(err)
	}
	var csvOut, summary bytes.Buffer
	if err := class.WriteCSV(&csvOut); err != nil {
		t.Fatal(err)
	}
	class.WriteSummary(&summary)
	rows := strings.Split(strings.TrimSpace(csvOut.String()), "\n")
	if len(rows) != 1+6*6 || rows[0] != strings.Join(CSVHeader, ",") {
		t.Fatalf("CSV has %d rows, want a header and 36:\n%s", len(rows), csvOut.String())
	}
	for _, want := range []string{
		"alice,1,json,passed,1,1,",
		"bob,6,anagram-groups,not done,0,1,",
		"carol,4,anagram-lists,failed,0,1,",
		"dave,1,json,does not compile,0,1,",
		"dave,3,letters,not done,0,1,",
		"erin,2,lists,failed,0,1,",
		"erin,3,letters,passed,1,1,",
		"frank,1,json,error,0,1,",
	} {
		if !strings.Contains(csvOut.String(), want) {
			t.Errorf("CSV lacks %q:\n%s", want, csvOut.String())
		}
	}
	if !strings.Contains(csvOut.String(), "does not compile: dave/redisbasics/01_json.go:14:") {
		t.Errorf("the CSV does not name dave's file and line:\n%s", csvOut.String())
	}
	for _, want := range []string{"alice 6/6 ✓ ✓ ✓ ✓ ✓ ✓", "bob 0/6 · · · · · ·", "dave 0/6 ✗ · · · · ·", "erin 5/6 ✓ ✗ ✓ ✓ ✓ ✓", "graded 6 submissions"} {
		if !strings.Contains(squeeze(summary.String()), want) {
			t.Errorf("summary lacks %q:\n%s", want, summary.String())
		}
	}
	// Each submission's build stays in the cache, by content, for the
	// next grading of the class.
	for _, s := range class.Submissions {
		if s.Report == nil || s.Report.Compile != nil || s.Name == "dave" {
			continue
		}
		pkg, err := ReadPackage(filepath.Join(dir, s.Name, "redisbasics"), s.Name, "")
		if err != nil {
			t.Fatal(err)
		}
		kept, _ := filepath.Glob(filepath.Join(build.CacheDir(), isolatedName(classBuilds, pkg)+"-*"))
		// Or the build of its batch (see batch.go), whose overlay names
		// its files.
		overlays, _ := filepath.Glob(filepath.Join(build.CacheDir(), "sources", "grade", "batch-*.json"))
		for _, o := range overlays {
			b, _ := os.ReadFile(o)
			bins, _ := filepath.Glob(filepath.Join(build.CacheDir(), classBuilds+"b*"))
			if bytes.Contains(b, []byte(snapshotDir(pkg))) && len(bins) > 0 {
				kept = append(kept, o)
			}
		}
		if len(kept) == 0 && !keptMerged(pkg) {
			t.Errorf("%s's build was not kept in the cache", s.Name)
		}
	}

	// Feedback a teacher can hand back, and Gradescope's results.json.
	byName := map[string]*Submission{}
	for _, s := range class.Submissions {
		byName[s.Name] = s
	}
	var md bytes.Buffer
	byName["erin"].WriteMarkdown(&md, manifest.Exercises)
	for _, want := range []string{"# Feedback for erin", "**5/6 points**", "| 2 Push and pop at the front of a list | ✗ failed | 0/1 |",
		"## 2 Push and pop", "called:", "PushFront(ctx, rdb, ", "expected:", "got:", "Hint: ", "The file to edit: `erin/redisbasics/02_lists.go`"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("erin's feedback lacks %q:\n%s", want, md.String())
		}
	}
	var gs bytes.Buffer
	if err := byName["dave"].WriteGradescope(&gs, manifest.Exercises, GradescopeOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Score float64 `json:"score"`
		Tests []struct {
			Name     string  `json:"name"`
			Score    float64 `json:"score"`
			MaxScore float64 `json:"max_score"`
			Output   string  `json:"output"`
		} `json:"tests"`
	}
	if err := json.Unmarshal(gs.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Score != 0 || len(doc.Tests) != 6 || doc.Tests[0].Name != "1 Store a value as JSON" || doc.Tests[0].MaxScore != 1 ||
		!strings.Contains(doc.Tests[0].Output, "does not compile: dave/redisbasics/01_json.go:14:") {
		t.Errorf("dave's results.json:\n%s", gs.String())
	}

}

// TestClassBuildsRemoved: a class graded with builds of its own
// (ClassOptions.Builds) leaves them under that prefix only, and
// RemoveBuilds deletes them, and nothing of the classes' own prefix.
func TestClassBuildsRemoved(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	submission(t, dir, "alice", "solutions", nil)
	wrong, _ := txtar.ParseFile("testdata/wrong/lists-lpush-order.txtar")
	submission(t, dir, "erin", "solutions", wrong.Files)
	prefix := fmt.Sprintf("gradetestonce%d-", os.Getpid())
	opt := ClassOptions{Options: options(), Builds: prefix}
	if _, err := GradeClass(context.Background(), dir, manifest.Exercises[:1], opt); err != nil {
		t.Fatal(err)
	}
	made, _ := filepath.Glob(filepath.Join(build.CacheDir(), prefix+"*"))
	if len(made) == 0 {
		t.Fatalf("no build in the cache is named %s…", prefix)
	}
	ours := filepath.Join(build.CacheDir(), classBuilds+"-removebuildstest")
	if err := os.MkdirAll(ours, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(ours)
	RemoveBuilds("")
	RemoveBuilds(classBuilds)
	RemoveBuilds(prefix)
	if left, _ := filepath.Glob(filepath.Join(build.CacheDir(), prefix+"*")); len(left) > 0 {
		t.Errorf("RemoveBuilds left %s", left)
	}
	if _, err := os.Stat(ours); err != nil {
		t.Errorf("RemoveBuilds removed a class's build: %v", err)
	}
}
