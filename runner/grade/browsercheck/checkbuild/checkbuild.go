// Package checkbuild builds the in-page check program (package
// browsercheck) with the go command, as the page compiles it with the
// in-page compiler: the learner's package as browsercheck's
// LearnerImportPath and the generated main. The tests use it, for js/wasm
// (run under Node or in the page's Worker) or natively, and to check the
// grader's own cases (GraderCases) many to a program (BuildCases).
package checkbuild

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/grade/browsercheck"
	"github.com/redis-notebook/tutorial/runner/grade/browsercheck/checkprog"
)

// Build builds the check program for exercises of set, against the
// package in pkgDir, into out, for goos/goarch, in the module at root. It
// returns the generated main's source too.
func Build(ctx context.Context, root, pkgDir string, set *grade.PackageExercises, exercises []grade.Exercise, goos, goarch, out string) ([]byte, error) {
	pkg, err := grade.ReadPackage(pkgDir, pkgDir, "")
	if err != nil {
		return nil, err
	}
	// The functions of these exercises, as the site's bundles pass them.
	these := &grade.PackageExercises{Package: set.Package, Exercises: exercises}
	main, err := browsercheck.MainSource(set, exercises, grade.MainFuncs(these, pkg))
	if err != nil {
		return nil, err
	}
	replace := map[string]string{}
	graft(replace, root, browsercheck.LearnerImportPath, pkg)
	return main, goBuild(ctx, root, main, replace, goos, goarch, out)
}

// BuildCases builds one check program for exercises of set holding every
// package in pkgDirs, the i-th compiled as grade.BatchGraft(i) and picked
// by -case i (see browsercheck.MainCases), into out. Each package must be
// grade.Inert, as the grader's batches are: linked with others, it runs
// none of its code unless called.
func BuildCases(ctx context.Context, root string, set *grade.PackageExercises, exercises []grade.Exercise, pkgDirs []string, goos, goarch, out string) error {
	these := &grade.PackageExercises{Package: set.Package, Exercises: exercises}
	replace := map[string]string{}
	var cases []checkprog.CaseSource
	for i, dir := range pkgDirs {
		pkg, err := grade.ReadPackage(dir, dir, "")
		if err != nil {
			return err
		}
		if !grade.Inert(pkg, set.Package) {
			return fmt.Errorf("%s: its package runs code of its own when linked with others: build it alone", dir)
		}
		c := checkprog.CaseSource{Graft: grade.BatchGraft(i), Funcs: grade.MainFuncs(these, pkg)}
		graft(replace, root, grade.ModulePath+"/"+c.Graft, pkg)
		cases = append(cases, c)
	}
	main, err := checkprog.CasesSource(set, exercises, cases)
	if err != nil {
		return err
	}
	return goBuild(ctx, root, main, replace, goos, goarch, out)
}

// graft adds pkg's files to replace, an overlay, as the package at
// importPath, inside the module at root.
func graft(replace map[string]string, root, importPath string, pkg *grade.Package) {
	dir := filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(importPath, grade.ModulePath+"/")))
	for name := range pkg.Files {
		replace[filepath.Join(dir, name)] = filepath.Join(pkg.Dir, name)
	}
}

// goBuild builds main, as browsercheck.MainImportPath, with the files in
// replace, into out.
func goBuild(ctx context.Context, root string, main []byte, replace map[string]string, goos, goarch, out string) error {
	tmp, err := os.MkdirTemp("", "checkbuild-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	mainDir := filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(browsercheck.MainImportPath, grade.ModulePath+"/")))
	replace[filepath.Join(mainDir, "main.go")] = filepath.Join(tmp, "main.go")
	if err := os.WriteFile(filepath.Join(tmp, "main.go"), main, 0o644); err != nil {
		return err
	}
	overlay, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "overlay.json"), overlay, 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-overlay", filepath.Join(tmp, "overlay.json"), "-o", out, mainDir)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the check program: %v\n%s", err, b)
	}
	return nil
}
