// Package checkbuild builds the in-page check program (package
// browsercheck) with the go command, as the page compiles it with the
// in-page compiler: the learner's package as browsercheck's
// LearnerImportPath and the generated main. The tests use it, for js/wasm
// (run under Node or in the page's Worker) or natively.
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
)

const modulePath = "github.com/redis-notebook/tutorial/"

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
	tmp, err := os.MkdirTemp("", "checkbuild-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	learnerDir := filepath.Join(root, strings.TrimPrefix(browsercheck.LearnerImportPath, modulePath))
	mainDir := filepath.Join(root, strings.TrimPrefix(browsercheck.MainImportPath, modulePath))
	replace := map[string]string{filepath.Join(mainDir, "main.go"): filepath.Join(tmp, "main.go")}
	if err := os.WriteFile(filepath.Join(tmp, "main.go"), main, 0o644); err != nil {
		return nil, err
	}
	for name := range pkg.Files {
		replace[filepath.Join(learnerDir, name)] = filepath.Join(pkgDir, name)
	}
	overlay, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, "overlay.json"), overlay, 0o644); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-overlay", filepath.Join(tmp, "overlay.json"), "-o", out, mainDir)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return main, fmt.Errorf("building the check program: %v\n%s", err, b)
	}
	return main, nil
}
