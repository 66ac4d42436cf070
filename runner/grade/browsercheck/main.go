package browsercheck

import (
	"encoding/json"
	"strconv"

	"github.com/redis-notebook/tutorial/runner/grade"
)

// ImportPath is this package's, which a generated main imports.
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
// imports the learner's package (as LearnerImportPath) and this one, and
// calls Main.
func MainSource(set *grade.PackageExercises, exercises []grade.Exercise, funcs []grade.MainFunc) ([]byte, error) {
	ex, err := json.Marshal(grade.PackageExercises{Package: set.Package, Exercises: exercises})
	if err != nil {
		return nil, err
	}
	return grade.MainSource(ImportPath, "browsercheck.Main", strconv.Quote(string(ex)), funcs)
}
