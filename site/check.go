package site

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/grade/browsercheck/checkprog"
	"github.com/redis-notebook/tutorial/runner/settings"
)

// checkBundle is what an exercise's page needs to check the learner's
// code in the page, with no Go and no server (check.js reads it): the
// package's files, the generated check program's main (package
// browsercheck), and how to read the program's verdict. The page
// compiles the package, the learner's file in place of its stub, and
// the main with the in-page compiler (globalThis.NotebookCompiler),
// then runs the program in a Worker (check-worker.js).
type checkBundle struct {
	ID      int    `json:"id"`
	Name    string `json:"name"`
	Package string `json:"package"`
	File    string `json:"file"` // the exercise's file, in the package's folder
	// Files are the package's files as the course hands them out (the
	// stubs), by name: the learner's file replaces File's.
	Files         map[string]string `json:"files"`
	ImportPath    string            `json:"importPath"` // the learner's package's, as compiled
	Main          string            `json:"main"`       // the check program's main.go
	MainPath      string            `json:"mainImportPath"`
	RootPackages  []string          `json:"rootPackages"` // what the main imports besides the learner's package
	Extras        []string          `json:"extras"`       // the toolchain's extra bundles the build needs
	Timeout       float64           `json:"timeout"`      // seconds, the exercise's time limit
	Exit          map[string]int    `json:"exit"`         // verdict -> the program's exit status
	CheckCommand  string            `json:"checkCommand"`
	DownloadPaths string            `json:"downloadDir"` // where the files go in a download: exercises/<package>
}

// checkBundles writes, for every exercise, the bundle its page fetches,
// and returns each page's path to it.
func (b *builder) checkBundles() (map[int]string, error) {
	if len(b.exercises) == 0 {
		return nil, nil
	}
	m, err := grade.LoadManifest(b.opt.Root)
	if err != nil {
		return nil, err
	}
	out := map[int]string{}
	roots := map[string]bool{checkprog.ImportPath: true}
	defer func() { b.checkRoots = slices.Sorted(maps.Keys(roots)) }()
	for _, page := range b.exercises {
		set := m.Package(page.Package)
		i := slices.IndexFunc(set.Exercises, func(e grade.Exercise) bool { return e.ID == page.ID })
		if i < 0 {
			return nil, fmt.Errorf("exercise %d is not in package %s of %s", page.ID, page.Package, grade.ManifestPath)
		}
		e := set.Exercises[i]
		dir := filepath.Join(b.opt.Root, "exercises", set.Package)
		pkg, err := grade.ReadPackage(dir, filepath.Join("exercises", set.Package), "")
		if err != nil {
			return nil, err
		}
		// The learner's file may declare the functions or not: the
		// stubs declare them all, and the page compiles the learner's
		// file with the package's other stubs.
		one := &grade.PackageExercises{Package: set.Package, Exercises: []grade.Exercise{e}}
		main, err := checkprog.MainSource(set, one.Exercises, grade.MainFuncs(one, pkg))
		if err != nil {
			return nil, err
		}
		files := map[string]string{}
		for name, src := range pkg.Files {
			files[name] = string(src)
		}
		// What the learner's file may import: at least what the stubs
		// and the reference solutions do.
		sources := slices.Collect(maps.Values(pkg.Files))
		if sol, err := filepath.Glob(filepath.Join(b.opt.Root, "solutions", set.Package, "*.go")); err == nil {
			for _, f := range sol {
				if src, err := os.ReadFile(f); err == nil && !strings.HasSuffix(f, "_test.go") {
					sources = append(sources, src)
				}
			}
		}
		for _, src := range sources {
			imports, err := programImports(src)
			if err != nil {
				return nil, err
			}
			for _, p := range imports {
				roots[p] = true
			}
		}
		if _, ok := files[e.File]; !ok {
			return nil, fmt.Errorf("%s: no such file for exercise %d", filepath.Join(dir, e.File), e.ID)
		}
		bundle := checkBundle{
			ID: e.ID, Name: e.Name, Package: set.Package, File: e.File, Files: files,
			ImportPath: checkprog.LearnerImportPath, Main: string(main),
			MainPath:     checkprog.MainImportPath,
			RootPackages: []string{checkprog.ImportPath},
			Extras:       []string{CheckExtra},
			Timeout:      settings.DefaultTimeout.Seconds(),
			Exit: map[string]int{"passed": checkprog.ExitPassed, "failed": checkprog.ExitFailed,
				"not done": checkprog.ExitNotDone, "error": checkprog.ExitError},
			CheckCommand:  checkprog.CheckCommand,
			DownloadPaths: "exercises/" + set.Package,
		}
		data, err := json.Marshal(bundle)
		if err != nil {
			return nil, err
		}
		name := "check/" + hashedName(fmt.Sprintf("exercise-%02d.json", e.ID), data)
		b.runFiles[name] = data
		out[e.ID] = name
	}
	return out, nil
}
