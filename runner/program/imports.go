package program

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
)

// missingImports returns the standard library imports that src uses by
// name but does not import: an identifier used as pkg.Name that nothing
// in the file declares. It is what goimports does for a notebook's cells,
// minus the module scan and the type checker, which would make the
// runner's own first build slower for every newcomer; a cell that needs
// anything else, or the other of two packages with one name
// (crypto/rand), imports it itself. The one package outside the standard
// library it infers is the runner's kernel, for kernel.Image.
func missingImports(src string) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if err != nil {
		return nil // the compiler will report it, at the chapter's lines
	}
	declared := map[string]bool{}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		} else if isVersion(name) { // math/rand/v2 is package rand
			name = strings.TrimSuffix(path, "/"+name)
			name = name[strings.LastIndex(name, "/")+1:]
		}
		declared[name] = true
	}
	ast.Inspect(f, func(n ast.Node) bool {
		for _, id := range declaredBy(n) {
			declared[id.Name] = true
		}
		return true
	})
	var missing []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && !declared[x.Name] {
			path, ok := stdlib[x.Name]
			if x.Name == "kernel" {
				// kernel.Image: a cell displays a picture without an
				// import line, in an exported program too.
				path, ok = KernelPackage, true
			}
			if ok && !slices.Contains(missing, path) {
				missing = append(missing, path)
			}
		}
		return true
	})
	slices.Sort(missing)
	return missing
}

// declaredBy returns the identifiers node n declares, of any kind: a
// package name used as pkg.X is only a package if nothing shadows it.
func declaredBy(n ast.Node) []*ast.Ident {
	var ids []*ast.Ident
	switch n := n.(type) {
	case *ast.AssignStmt:
		if n.Tok == token.DEFINE {
			for _, e := range n.Lhs {
				if id, ok := e.(*ast.Ident); ok {
					ids = append(ids, id)
				}
			}
		}
	case *ast.RangeStmt:
		if n.Tok == token.DEFINE {
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if id, ok := e.(*ast.Ident); ok {
					ids = append(ids, id)
				}
			}
		}
	case *ast.ValueSpec:
		ids = append(ids, n.Names...)
	case *ast.TypeSpec:
		ids = append(ids, n.Name)
	case *ast.FuncDecl:
		ids = append(ids, n.Name)
	case *ast.Field:
		ids = append(ids, n.Names...)
	case *ast.LabeledStmt:
		ids = append(ids, n.Label)
	case *ast.TypeSwitchStmt:
		if a, ok := n.Assign.(*ast.AssignStmt); ok {
			for _, e := range a.Lhs {
				if id, ok := e.(*ast.Ident); ok {
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}

func isVersion(s string) bool {
	_, err := strconv.Atoi(strings.TrimPrefix(s, "v"))
	return strings.HasPrefix(s, "v") && err == nil
}
