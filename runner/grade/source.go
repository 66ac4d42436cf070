package grade

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/paths"
)

// A Package is the source of one graded package, read once, so that what
// is built is exactly what was read even while the learner keeps saving.
type Package struct {
	Dir     string            // where the sources are
	Display string            // Dir as messages name it
	Files   map[string][]byte // file name -> source; .go files but tests
	// Funcs are the exported top-level functions it declares: true for
	// those the harness can pass to the checks, false for those it
	// cannot (they have type parameters).
	Funcs map[string]bool
	// Main is the file that declares package main, if any: a program,
	// which no harness can import.
	Main string
	Hash string // of the file names and contents
	// Refused are the files the grader will not build, with why: a
	// symbolic link, a file outside the submission, an import other
	// than the standard library and go-redis, cgo. They are not in
	// Files.
	Refused []build.Diagnostic
}

// FindPackage returns the folder holding the package name in dir: dir
// itself, unless its files declare another package, or its name or
// exercises/name folder (redisbasics, exercises/redisbasics), as students
// hand in one or the other.
func FindPackage(dir, name string) (string, error) {
	candidates := []string{dir, filepath.Join(dir, name), filepath.Join(dir, "exercises", name)}
	for i, c := range candidates {
		if hasGoFiles(c) && (i > 0 || declares(c, name)) {
			return c, nil
		}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", fmt.Errorf("%s: no such folder", dir)
	}
	return "", fmt.Errorf("%s: no Go files (looked in %s)", dir, strings.Join(candidates, ", "))
}

// declares says whether the Go files in dir declare package name (or
// main), or none of them says which (they do not parse): then the build
// will say what is wrong.
func declares(dir, name string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !isGoName(e.Name()) {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, e.Name()), nil, parser.PackageClauseOnly)
		if err == nil {
			// package main: the build says it cannot be graded.
			return f.Name.Name == name || f.Name.Name == "main"
		}
	}
	return true
}

func hasGoFiles(dir string) bool {
	entries, _ := os.ReadDir(dir)
	return slices.ContainsFunc(entries, func(e os.DirEntry) bool { return isGoName(e.Name()) })
}

func isSource(e os.DirEntry) bool {
	n := e.Name()
	return !e.IsDir() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") &&
		!strings.HasPrefix(n, ".") && !strings.HasPrefix(n, "_")
}

// ReadPackage reads the package in dir; display is how messages name dir.
// Every file must be the submission's own: within, after resolving
// symbolic links, (dir itself when within is ""); symbolic links among
// the files are refused, and so are imports of anything but the standard
// library and go-redis, and cgo (see Package.Refused).
func ReadPackage(dir, display, within string) (*Package, error) {
	if within == "" {
		within = dir
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, err
	}
	realWithin, err := filepath.EvalSymlinks(within)
	if err != nil {
		return nil, err
	}
	if !inside(realWithin, realDir) {
		return nil, fmt.Errorf("%s is a link to %s, outside the submission: the grader reads only the submission's own files", display, realDir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	p := &Package{Dir: dir, Display: display, Files: map[string][]byte{}, Funcs: map[string]bool{}}
	h := sha256.New()
	fset := token.NewFileSet()
	for _, e := range entries {
		if !isGoName(e.Name()) {
			continue
		}
		shown := filepath.Join(display, e.Name())
		path := filepath.Join(dir, e.Name())
		if e.Type()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(path)
			p.Refused = append(p.Refused, build.Diagnostic{File: shown, Line: 1,
				Msg: fmt.Sprintf("is a symbolic link (to %s): the grader reads only the submission's own files, not links", target)})
			continue
		}
		if !e.Type().IsRegular() {
			continue
		}
		if real, err := filepath.EvalSymlinks(path); err != nil || !inside(realWithin, real) {
			p.Refused = append(p.Refused, build.Diagnostic{File: shown, Line: 1, Msg: "resolves outside the submission folder"})
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		// A file that does not parse still declares what it can; the
		// compiler will report it at the learner's line.
		f, _ := parser.ParseFile(fset, e.Name(), src, parser.SkipObjectResolution)
		if f != nil {
			if d := refusedImport(fset, f, shown); d != nil {
				p.Refused = append(p.Refused, *d)
				continue
			}
		}
		p.Files[e.Name()] = src
		fmt.Fprintf(h, "%s %d\n", e.Name(), len(src))
		h.Write(src)
		if f == nil {
			continue
		}
		if f.Name != nil && f.Name.Name == "main" {
			p.Main = e.Name()
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.IsExported() {
				p.Funcs[fd.Name.Name] = fd.Type.TypeParams == nil
			}
		}
	}
	if len(p.Files) == 0 && len(p.Refused) == 0 {
		return nil, errors.New(display + ": no Go files")
	}
	p.Hash = hex.EncodeToString(h.Sum(nil))
	return p, nil
}

// isGoName says whether a file's name is that of a Go source file the
// package is built from (not a test).
func isGoName(n string) bool {
	return strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") &&
		!strings.HasPrefix(n, ".") && !strings.HasPrefix(n, "_")
}

// inside says whether path is dir or in it; both resolved already.
func inside(dir, path string) bool {
	_, ok := paths.Within(dir, path)
	return ok
}

// refused says whether a diagnostic is one of ReadPackage's refusals
// rather than the compiler's.
func refused(d build.Diagnostic) bool { return refusedMsgs.MatchString(d.Msg) }

var refusedMsgs = regexp.MustCompile(`^(is a symbolic link|resolves outside|uses cgo|imports ")`)

// The imports a submission may use besides the standard library.
const goRedis = "github.com/redis/go-redis/v9"

// refusedImport returns the first import of f that the grader refuses, as
// a diagnostic at its line, or nil.
func refusedImport(fset *token.FileSet, f *ast.File, shown string) *build.Diagnostic {
	for _, spec := range f.Imports {
		path, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue
		}
		at := func(msg string) *build.Diagnostic {
			return &build.Diagnostic{File: shown, Line: fset.Position(spec.Pos()).Line, Msg: msg}
		}
		first, _, _ := strings.Cut(path, "/")
		switch {
		case path == "C":
			return at(`uses cgo (import "C"): the grader builds pure Go only`)
		case path == "runtime/cgo" || path == "plugin":
			return at(fmt.Sprintf("imports %q: the grader builds pure Go only", path))
		case path == ModulePath || strings.HasPrefix(path, ModulePath+"/"):
			return at(fmt.Sprintf("imports %q, the tutorial's own package: a submission is graded on its own code", path))
		case path == goRedis || strings.HasPrefix(path, goRedis+"/"):
		case !strings.Contains(first, "."):
			// The standard library.
		default:
			return at(fmt.Sprintf("imports %q: a submission may import only the standard library and %s", path, goRedis))
		}
	}
	return nil
}

// displayPath names path relative to the current folder when it is inside
// it, as the go command does.
func displayPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	wd, err := os.Getwd()
	if err != nil {
		return abs
	}
	if rel, ok := paths.Within(paths.Resolved(wd), paths.Resolved(abs)); ok {
		return rel
	}
	return abs
}
