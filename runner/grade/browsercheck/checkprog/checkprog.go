// Package checkprog names the in-page check program's parts (its import
// paths, its generated main, its exit statuses) for those that write or
// read it without linking the checks: the site's renderer, which the
// runner links, must not pull in go-redis and miniredis.
package checkprog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"slices"
	"strconv"

	"github.com/redis-notebook/tutorial/runner/grade"
)

// ImportPath is package browsercheck's, which a generated main imports.
const ImportPath = "github.com/redis-notebook/tutorial/runner/grade/browsercheck"

// MainImportPath is the import path the check program's main is
// compiled as: any path outside the module's real packages would do.
const MainImportPath = "github.com/redis-notebook/tutorial/runner/grade/browsercheck/internal/checkmain"

// LearnerImportPath is the import path the learner's package is compiled
// as, in the page and in the tests: the grader's, so that a panic's
// stack names the learner's file as it does when grading.
const LearnerImportPath = grade.GraftImportPath

// MainSource writes the check program's package main for exercises, all
// of set's package (one, for an exercise's page; several, for the tests,
// which check them with one build), against the learner's package, which
// declares funcs (see grade.MainFuncs; the stubs declare every one): it
// imports the learner's package (as LearnerImportPath) and browsercheck,
// and calls browsercheck.Main.
func MainSource(set *grade.PackageExercises, exercises []grade.Exercise, funcs []grade.MainFunc) ([]byte, error) {
	ex, err := json.Marshal(grade.PackageExercises{Package: set.Package, Exercises: exercises})
	if err != nil {
		return nil, err
	}
	return grade.MainSource(ImportPath, "browsercheck.Main", strconv.Quote(string(ex)), funcs)
}

// CheckCommand is the command the report names, as `runner check` does:
// the learner can grade the same cases at home.
const CheckCommand = "go run ./runner check"

// Exit statuses of the check program, which its page reads: the verdict.
// Others mean the program did not end by itself (Go's 2: a panic in a
// goroutine of the learner's code, which ends the whole program).
const (
	ExitPassed  = 0
	ExitFailed  = 10
	ExitNotDone = 11
	ExitError   = 12 // the grader's own (verdict.Error), or bad arguments
)

// A CaseSource is one learner's package in a program that holds
// several: the folder it is compiled as, from the module's root
// (grade.BatchGraft), and the functions it declares.
type CaseSource struct {
	Graft string
	Funcs []grade.MainFunc
}

// CasesSource writes the package main of a check program that holds
// several learners' packages of set's package, cases, for exercises of
// it: the tests check the grader's cases so, many to a build. Its -case
// flag picks one (see browsercheck.MainCases).
func CasesSource(set *grade.PackageExercises, exercises []grade.Exercise, cases []CaseSource) ([]byte, error) {
	ex, err := json.Marshal(grade.PackageExercises{Package: set.Package, Exercises: exercises})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated for a test; DO NOT EDIT.\n\npackage main\n\nimport (\n\t%q\n", ImportPath)
	for i, c := range cases {
		name := "_"
		if slices.ContainsFunc(c.Funcs, func(f grade.MainFunc) bool { return f.Usable }) {
			name = fmt.Sprintf("c%d", i)
		}
		fmt.Fprintf(&b, "\t%s %q\n", name, grade.ModulePath+"/"+c.Graft)
	}
	fmt.Fprintf(&b, ")\n\nfunc main() {\n\tbrowsercheck.MainCases(%s, []browsercheck.Case{\n", strconv.Quote(string(ex)))
	for i, c := range cases {
		fmt.Fprintf(&b, "\t\t{Graft: %q, Funcs: map[string]any{\n", c.Graft)
		for _, f := range c.Funcs {
			if f.Usable {
				fmt.Fprintf(&b, "\t\t\t%q: c%d.%s,\n", f.Name, i, f.Name)
			} else {
				fmt.Fprintf(&b, "\t\t\t%q: browsercheck.Unusable(%q),\n", f.Name, f.Why())
			}
		}
		b.WriteString("\t\t}},\n")
	}
	b.WriteString("\t})\n}\n")
	return format.Source(b.Bytes())
}
