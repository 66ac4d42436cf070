package grade

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/redis-notebook/tutorial/runner/build"
	"golang.org/x/tools/txtar"
)

// classOutputs are every file a teacher gets of a class: the CSV, the
// gradebook, and each submission's feedback and Gradescope results.
func classOutputs(t *testing.T, c *Class) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	var csvOut, book bytes.Buffer
	if err := c.WriteCSV(&csvOut); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteGradebook(&book); err != nil {
		t.Fatal(err)
	}
	out["grades.csv"], out["gradebook.csv"] = csvOut.Bytes(), book.Bytes()
	for _, s := range c.Submissions {
		var md, gs bytes.Buffer
		s.WriteMarkdown(&md, c.Exercises)
		if err := s.WriteGradescope(&gs, c.Exercises, GradescopeOptions{}); err != nil {
			t.Fatal(err)
		}
		out[s.Name+".feedback.md"], out[s.Name+".results.json"] = md.Bytes(), gs.Bytes()
	}
	return out
}

// reused names the submissions whose verdicts were reused.
func reused(c *Class) []string {
	var names []string
	for _, s := range c.Submissions {
		if s.Reused {
			names = append(names, s.Name)
		}
	}
	return names
}

// TestVerdictsReused grades a class, then again unchanged: nothing is
// graded, and every output is byte for byte the first grading's. Then
// each part of the key is changed in turn (one byte of one submission,
// the seed, the grader's version, a corrupted entry), and what it keys
// is graded again.
func TestVerdictsReused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	broken, _ := txtar.ParseFile("testdata/compile-error.txtar")
	wrong, _ := txtar.ParseFile("testdata/wrong/lists-lpush-order.txtar")
	submission(t, dir, "alice", "solutions", nil)
	submission(t, dir, "bob", "exercises", nil)
	submission(t, dir, "dave", "exercises", broken.Files)
	submission(t, dir, "erin", "solutions", wrong.Files)
	all := []string{"alice", "bob", "dave", "erin"}
	opt := ClassOptions{Options: options()}
	grade := func() *Class {
		t.Helper()
		c, err := GradeClass(context.Background(), dir, manifest.Exercises, opt)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	first := grade()
	if got := reused(first); len(got) != 0 {
		t.Fatalf("a class never graded reused the verdicts of %v", got)
	}
	want := classOutputs(t, first)
	again := grade()
	if got := reused(again); !slices.Equal(got, all) || again.Reused != len(all) {
		t.Fatalf("graded again unchanged, the reused verdicts are %v (%d), want %v", got, again.Reused, all)
	}
	for name, b := range classOutputs(t, again) {
		if !bytes.Equal(b, want[name]) {
			t.Errorf("%s graded again is not the first grading's:\n%s\nwant:\n%s", name, b, want[name])
		}
	}
	var summary bytes.Buffer
	again.WriteSummary(&summary)
	if !bytes.Contains(summary.Bytes(), []byte("4 of them graded before with the same files, grader and seed")) {
		t.Errorf("the summary does not say the verdicts were reused:\n%s", summary.String())
	}

	// One byte of alice's: alice alone is graded again.
	file := filepath.Join(dir, "alice", "redisbasics", "zz_note.go")
	b, _ := os.ReadFile(file)
	os.WriteFile(file, append(b, ' '), 0o644)
	if got := reused(grade()); !slices.Equal(got, []string{"bob", "dave", "erin"}) {
		t.Errorf("after a byte of alice's changed, the reused verdicts are %v, want bob's, dave's, erin's", got)
	}

	// A corrupted entry is ignored: bob is graded again, and his entry
	// written anew.
	v, err := openVerdicts(manifest.Exercises, opt.Options)
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := HashSubmission(filepath.Join(dir, "bob"))
	entry := v.path(v.key("bob", hash))
	if err := os.WriteFile(entry, []byte(`{"name": "bob", "hash": "`), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := reused(grade()); !slices.Equal(got, []string{"alice", "dave", "erin"}) {
		t.Errorf("after bob's entry was corrupted, the reused verdicts are %v, want alice's, dave's, erin's", got)
	}
	if got := reused(grade()); !slices.Equal(got, all) {
		t.Errorf("bob's entry was not written again: the reused verdicts are %v", got)
	}

	// Another seed: every submission graded again.
	opt.Seed++
	if got := reused(grade()); len(got) != 0 {
		t.Errorf("with another seed, the verdicts of %v were reused", got)
	}
	opt.Seed--

	// Another grader (see TestGraderVersion for what changes it).
	id := root + "\x00" + manifest.Package
	old, _ := graderVersions.Load(id)
	graderVersions.Store(id, "another grader")
	c := grade()
	graderVersions.Store(id, old)
	if got := reused(c); len(got) != 0 {
		t.Errorf("with another grader, the verdicts of %v were reused", got)
	}

	// --regrade grades everything again.
	opt.Regrade = true
	if got := reused(grade()); len(got) != 0 {
		t.Errorf("with Regrade, the verdicts of %v were reused", got)
	}
}

// TestGraderVersion changes, in a copy of what the grader's version
// hashes, one byte of each kind of file it depends on: each is another
// version, and the copy unchanged is the same one.
func TestGraderVersion(t *testing.T) {
	t.Parallel()
	copyRoot := t.TempDir()
	files, err := build.Sources(root, ModulePath+"/runner/grade", checksPkg, shimPkg)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"exercises/redisbasics", "solutions/redisbasics"} {
		entries, _ := os.ReadDir(filepath.Join(root, dir))
		for _, e := range entries {
			files = append(files, dir+"/"+e.Name())
		}
	}
	files = append(files, "go.mod", "go.sum", ManifestPath)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(copyRoot, f)), 0o755)
		os.WriteFile(filepath.Join(copyRoot, f), b, 0o644)
	}
	want, err := GraderVersion(root, "redisbasics")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := GraderVersion(copyRoot, "redisbasics"); err != nil || got != want {
		t.Fatalf("the copy's version is %s (%v), the checkout's %s", got, err, want)
	}
	for _, f := range []string{"go.mod", "go.sum", ManifestPath, "runner/grade/checks/checks.go", "runner/grade/shim/shim.go",
		"runner/grade/report.go", "runner/grade/redisgate/gate.go", "exercises/redisbasics/01_json.go", "solutions/redisbasics/01_json.go"} {
		path := filepath.Join(copyRoot, f)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		changed := slices.Clone(b)
		changed[len(changed)-1] ^= 1
		os.WriteFile(path, changed, 0o644)
		if got, _ := GraderVersion(copyRoot, "redisbasics"); got == want {
			t.Errorf("a byte of %s changed, and the grader's version did not", f)
		}
		os.WriteFile(path, b, 0o644)
	}
}
