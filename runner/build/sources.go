package build

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Sources returns the module's own source files (relative to root, sorted)
// that the given packages depend on: each package's non-test Go files, and
// those of every package of this module it imports, directly or not. A
// package is an import path of this module or a folder relative to root.
//
// Whatever caches a build or a run by content keys it on these files, so
// that a change to any package a chapter program links, including one
// added later, is never served from a stale cache.
func Sources(root string, pkgs ...string) ([]string, error) {
	module, err := modulePath(root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // no module, so no packages of its own
	}
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var files []string
	var visit func(dir string) error
	visit = func(dir string) error {
		if seen[dir] {
			return nil
		}
		seen[dir] = true
		entries, err := os.ReadDir(filepath.Join(root, dir))
		if errors.Is(err, os.ErrNotExist) {
			return nil // grafted by -overlay: its caller keys it
		}
		if err != nil {
			return fmt.Errorf("reading package %s: %w", dir, err)
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			rel := filepath.ToSlash(filepath.Join(dir, name))
			files = append(files, rel)
			imports, err := localImports(filepath.Join(root, rel), module)
			if err != nil {
				return err
			}
			for _, imp := range imports {
				if err := visit(imp); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, p := range pkgs {
		if err := visit(strings.TrimPrefix(strings.TrimPrefix(p, module), "/")); err != nil {
			return nil, err
		}
	}
	slices.Sort(files)
	return files, nil
}

// localImports returns the folders, relative to the module root, of the
// module's own packages that a Go file imports.
func localImports(path, module string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if rest, ok := strings.CutPrefix(p, module+"/"); ok {
			dirs = append(dirs, rest)
		}
	}
	return dirs, nil
}

// modulePaths caches modulePath by module root.
var modulePaths sync.Map

// modulePath reads the module's path from root/go.mod.
func modulePath(root string) (string, error) {
	if v, ok := modulePaths.Load(root); ok {
		return v.(string), nil
	}
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			path := strings.Trim(strings.TrimSpace(rest), `"`)
			modulePaths.Store(root, path)
			return path, nil
		}
	}
	return "", fmt.Errorf("%s: no module line", filepath.Join(root, "go.mod"))
}
