package grade

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"testing"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/grade/verdict"
)

var update = flag.Bool("update", false, "rewrite the golden files of the class's outputs")

// golden compares got with testdata/NAME, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -run %s -update rewrites it); got:\n%s\nwant:\n%s", path, t.Name(), got, want)
	}
}

// sampleClass is a class of every kind of submission, graded by hand:
// one that passes all, one with a failure and one not done, one that
// does not compile, and one that could not be graded.
func sampleClass() *Class {
	ex := manifest.Exercises[:3]
	result := func(i int, st verdict.Status, msg string) Result {
		points := 0
		if st == verdict.Passed {
			points = ex[i].Points
		}
		return Result{Name: ex[i].Name, Points: points, Max: ex[i].Points, Result: verdict.Result{Exercise: ex[i].ID, Status: st, Message: msg}}
	}
	report := func(name string, results ...Result) *Report {
		return &Report{Package: name + "/redisbasics", Backend: "miniredis", Exercises: ex, Results: results, Seed: 7}
	}
	return &Class{Dir: "class", Exercises: ex, Seed: 7, Jobs: 2, Submissions: []*Submission{
		{Name: "alice", Report: report("alice", result(0, verdict.Passed, ""), result(1, verdict.Passed, ""), result(2, verdict.Passed, ""))},
		{Name: "bob, jr.", Report: report("bob, jr.", result(0, verdict.Passed, ""), result(1, verdict.Failed, "PopFront returned [b a], want [a b]"),
			result(2, verdict.NotDone, "not done yet"))},
		{Name: "dave", Report: &Report{Package: "dave/redisbasics", Backend: "miniredis", Exercises: ex, Seed: 7,
			Compile: &build.CompileError{Diags: []build.Diagnostic{{File: "dave/redisbasics/01_json.go", Line: 14, Msg: "undefined: x"}}}}},
		{Name: "frank", Err: errors.New("frank: no Go files")},
	}}
}

// TestGradebook writes a class as a gradebook, a row per student: the
// file Canvas, Moodle and Google Classroom import.
func TestGradebook(t *testing.T) {
	var b bytes.Buffer
	if err := sampleClass().WriteGradebook(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "gradebook.csv", b.Bytes())
}
