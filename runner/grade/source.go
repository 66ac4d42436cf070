package grade

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
}

// FindPackage returns the folder holding the package in dir: dir itself,
// or its redisbasics or exercises/redisbasics folder, as students hand in
// one or the other.
func FindPackage(dir, name string) (string, error) {
	candidates := []string{dir, filepath.Join(dir, name), filepath.Join(dir, "exercises", name)}
	for _, c := range candidates {
		if hasGoFiles(c) {
			return c, nil
		}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", fmt.Errorf("%s: no such folder", dir)
	}
	return "", fmt.Errorf("%s: no Go files (looked in %s)", dir, strings.Join(candidates, ", "))
}

func hasGoFiles(dir string) bool {
	entries, _ := os.ReadDir(dir)
	return slices.ContainsFunc(entries, func(e os.DirEntry) bool { return isSource(e) })
}

func isSource(e os.DirEntry) bool {
	n := e.Name()
	return !e.IsDir() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") &&
		!strings.HasPrefix(n, ".") && !strings.HasPrefix(n, "_")
}

// ReadPackage reads the package in dir; display is how messages name dir.
func ReadPackage(dir, display string) (*Package, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	p := &Package{Dir: dir, Display: display, Files: map[string][]byte{}, Funcs: map[string]bool{}}
	h := sha256.New()
	fset := token.NewFileSet()
	for _, e := range entries {
		if !isSource(e) {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		p.Files[e.Name()] = src
		fmt.Fprintf(h, "%s %d\n", e.Name(), len(src))
		h.Write(src)
		// A file that does not parse still declares what it can; the
		// compiler will report it at the learner's line.
		f, _ := parser.ParseFile(fset, e.Name(), src, parser.SkipObjectResolution)
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
	if len(p.Files) == 0 {
		return nil, errors.New(display + ": no Go files")
	}
	p.Hash = hex.EncodeToString(h.Sum(nil))
	return p, nil
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
	if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return abs
}
