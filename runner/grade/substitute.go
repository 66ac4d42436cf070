package grade

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/redis-notebook/tutorial/runner/build"
)

// A built package: its harness, and the files that were replaced to get
// there.
type built struct {
	h *Harness
	// broken are the files that were refused or did not compile, by
	// name, with the messages: an exercise's file was replaced by a stub
	// of its functions, any other file left out.
	broken map[string][]build.Diagnostic
}

// buildGraded builds pkg's harness. A file that is refused, or does not
// compile, does not sink the rest: it is replaced by its exercise's stub
// (or left out), and the build tried again, until the rest compiles. Only
// when no file can be blamed is the result the whole CompileError.
func buildGraded(ctx context.Context, pkg *Package, m *PackageExercises, opt Options) (*built, error) {
	b := &built{broken: map[string][]build.Diagnostic{}}
	for _, d := range pkg.Refused {
		name := filepath.Base(d.File)
		b.broken[name] = append(b.broken[name], d)
	}
	byFile := map[string]Exercise{}
	for _, e := range m.Exercises {
		byFile[e.File] = e
	}
	for range len(pkg.Files) + 1 {
		variant, err := replaced(pkg, b.broken, byFile, opt.Root, m.Package)
		if err != nil {
			return nil, err
		}
		h, err := CompileHarness(ctx, opt.Root, m, variant, opt.Isolated, opt.Progress)
		ce, ok := errors.AsType[*build.CompileError](err)
		if !ok {
			b.h = h
			return b, err
		}
		blamed := map[string][]build.Diagnostic{}
		for _, d := range ce.Diags {
			name := filepath.Base(d.File)
			if _, own := pkg.Files[name]; own && filepath.Dir(d.File) == pkg.Display && b.broken[name] == nil {
				blamed[name] = append(blamed[name], d)
			}
		}
		if len(blamed) == 0 {
			return nil, ce
		}
		maps.Copy(b.broken, blamed)
	}
	return nil, errors.New("grade: too many broken files")
}

// replaced returns pkg with its broken files replaced by their exercise's
// stub, or left out.
func replaced(pkg *Package, broken map[string][]build.Diagnostic, byFile map[string]Exercise, root, name string) (*Package, error) {
	if len(broken) == 0 {
		return pkg, nil
	}
	v := *pkg
	v.Files = maps.Clone(pkg.Files)
	v.Funcs = maps.Clone(pkg.Funcs)
	for file := range broken {
		delete(v.Files, file)
		if v.Main == file {
			v.Main = ""
		}
		e, ok := byFile[file]
		if !ok {
			continue
		}
		var stub []byte
		for _, ref := range stubSources(root, pkg.Dir, name, file) {
			if s, err := stubFile(ref, name, e.Funcs); err == nil {
				stub = s
				break
			}
		}
		for _, f := range e.Funcs {
			if stub != nil {
				v.Funcs[f] = true
			} else {
				// Nothing says the functions' signatures: they are
				// left out with their file, and a file that calls
				// them is reported in turn.
				delete(v.Funcs, f)
			}
		}
		if stub != nil {
			v.Files[file] = stub
		}
	}
	h := sha256.New()
	for _, file := range slices.Sorted(maps.Keys(v.Files)) {
		fmt.Fprintf(h, "%s %d\n", file, len(v.Files[file]))
		h.Write(v.Files[file])
	}
	v.Hash = hex.EncodeToString(h.Sum(nil))
	return &v, nil
}

// stubSources returns the files, in order of preference, whose
// signatures the stub of an exercise's file may be written from: the
// course's own stub, exercises/<name>/<file>, which every checkout and
// every published copy of the course ships, unless that is the very file
// that does not compile (a learner checking their own exercises/); then
// the reference solution where the checkout has one (a teacher's). None
// may be there: a student's copy of the course has no solutions/.
func stubSources(root, pkgDir, name, file string) []string {
	var out []string
	graded, gerr := os.Stat(filepath.Join(pkgDir, file))
	shipped := filepath.Join(root, "exercises", name, file)
	if st, err := os.Stat(shipped); err == nil && st.Mode().IsRegular() && (gerr != nil || !os.SameFile(st, graded)) {
		out = append(out, shipped)
	}
	ref := filepath.Join(root, "solutions", name, file)
	if st, err := os.Stat(ref); err == nil && st.Mode().IsRegular() {
		out = append(out, ref)
	}
	return out
}

// stubFile writes a stub of funcs, with the signatures they have in the
// reference solution file ref: each returns a not-done error.
func stubFile(ref, pkgName string, funcs []string) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, ref, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var body bytes.Buffer
	used := map[string]bool{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || !slices.Contains(funcs, fd.Name.Name) {
			continue
		}
		ast.Inspect(fd.Type, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok {
					used[id.Name] = true
				}
			}
			return true
		})
		var sig bytes.Buffer
		printer.Fprint(&sig, fset, fd.Type)
		var results []string
		if fd.Type.Results != nil {
			for _, r := range fd.Type.Results.List {
				var t bytes.Buffer
				printer.Fprint(&t, fset, r.Type)
				n := max(1, len(r.Names))
				for range n {
					results = append(results, "*new("+t.String()+")")
				}
			}
		}
		if len(results) > 0 {
			results[len(results)-1] = fmt.Sprintf("errors.New(%q)", "not done yet: "+fd.Name.Name+"'s file does not compile")
		}
		fmt.Fprintf(&body, "\nfunc %s%s {\n\treturn %s\n}\n", fd.Name.Name, strings.TrimPrefix(sig.String(), "func"), strings.Join(results, ", "))
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "// Code generated by the grader in place of a file that does not compile; DO NOT EDIT.\n\npackage %s\n\nimport (\n\t\"errors\"\n", pkgName)
	for _, spec := range f.Imports {
		path, _ := strconv.Unquote(spec.Path.Value)
		name := importName(path)
		if spec.Name != nil {
			name = spec.Name.Name
		}
		if used[name] && path != "errors" {
			fmt.Fprintf(&out, "\t%s %q\n", name, path)
		}
	}
	out.WriteString(")\n")
	out.Write(body.Bytes())
	return out.Bytes(), nil
}

var majorVersion = regexp.MustCompile(`^v[0-9]+$`)

// importName guesses the name a package is imported as: its path's last
// element, skipping a major version, without a go- prefix (go-redis/v9 is
// redis).
func importName(path string) string {
	parts := strings.Split(path, "/")
	name := parts[len(parts)-1]
	if majorVersion.MatchString(name) && len(parts) > 1 {
		name = parts[len(parts)-2]
	}
	return strings.TrimPrefix(name, "go-")
}
