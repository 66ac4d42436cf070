package browsercheck

import (
	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/grade/browsercheck/checkprog"
)

// The check program's import paths and generated main: see checkprog.
const (
	ImportPath        = checkprog.ImportPath
	MainImportPath    = checkprog.MainImportPath
	LearnerImportPath = checkprog.LearnerImportPath
)

// MainSource is checkprog.MainSource.
func MainSource(set *grade.PackageExercises, exercises []grade.Exercise, funcs []grade.MainFunc) ([]byte, error) {
	return checkprog.MainSource(set, exercises, funcs)
}
