package grade

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"slices"
	"strings"
)

// exitSite finds where a package that ended its own program probably did
// it: the first call of os.Exit, log.Fatal… or syscall.Exit, in an init
// function when inInit (the program stopped while it started), else
// anywhere. It returns file:line under the package's display name, or "".
func exitSite(pkg *Package, inInit bool) string {
	fset := token.NewFileSet()
	for _, name := range slices.Sorted(maps.Keys(pkg.Files)) {
		f, err := parser.ParseFile(fset, name, pkg.Files[name], parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		var found token.Pos
		for _, d := range f.Decls {
			if inInit {
				if fd, ok := d.(*ast.FuncDecl); !ok || fd.Name.Name != "init" || fd.Recv != nil {
					if _, isVar := d.(*ast.GenDecl); !isVar {
						continue
					}
				}
			}
			ast.Inspect(d, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || found.IsValid() {
					return !found.IsValid()
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				pkgName, ok := sel.X.(*ast.Ident)
				if ok && ((pkgName.Name == "os" && sel.Sel.Name == "Exit") || (pkgName.Name == "syscall" && sel.Sel.Name == "Exit") ||
					(pkgName.Name == "log" && (strings.HasPrefix(sel.Sel.Name, "Fatal") || strings.HasPrefix(sel.Sel.Name, "Panic")))) {
					found = call.Pos()
				}
				return true
			})
			if found.IsValid() {
				return fmt.Sprintf("%s:%d", filepath.Join(pkg.Display, name), fset.Position(found).Line)
			}
		}
	}
	return ""
}
