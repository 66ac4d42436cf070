//go:build !js

package grade

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// A batch's members are compiled as few packages as can be: compiling a
// package that imports go-redis costs a fixed part, however small the
// package, which one package of the members' files pays once. In it,
// each member's files keep their lines; every name a member declares at
// the top but its types gets the member's mark (mergeMark and its
// number: SaveJSON becomes SaveJSONǀ3), found with go/types, never by
// text: a local variable, a field, a method or a key named alike keeps
// its name. Types keep theirs, which %T, errors and reflection print, so
// that two members that declare one type name go into different
// packages. A line directive names each file as the folder the member
// would have been compiled in alone in the batch (BatchGraft), so that
// positions (in a stack trace, in Where) read the same. A member
// go/types rejects, or that cannot be merged for any reason below, is
// compiled in a package of its own, as before; and the merged package
// is checked once more with go/types, each identifier of it resolving to
// what it did in the member's own package.

// exportData holds, per module root, where go list found the export data
// of batchImports and their dependencies.
var exportData sync.Map // root -> *exportFiles

type exportFiles struct {
	once  sync.Once
	files map[string]string
	err   error
}

// exportsOf returns the export data files of batchImports and what they
// import, by import path, as the shims' builds compile them: go list
// runs once a process.
func exportsOf(root string) (map[string]string, error) {
	v, _ := exportData.LoadOrStore(root, &exportFiles{})
	e := v.(*exportFiles)
	e.once.Do(func() {
		args := []string{"list", "-export", "-deps", "-tags=netgo,osusergo", "-f", "{{.ImportPath}}\t{{.Export}}"}
		args = append(args, slices.Sorted(maps.Keys(batchImports))...)
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			e.err = fmt.Errorf("go list: %v: %s", err, stderr.Bytes())
			return
		}
		e.files = map[string]string{}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			if path, file, ok := strings.Cut(sc.Text(), "\t"); ok && file != "" {
				e.files[path] = file
			}
		}
	})
	return e.files, e.err
}

// A mergeMember is a member of a batch that go/types accepts, typed.
type mergeMember struct {
	index int // its number in the batch
	pkg   *Package
	names []string    // its files, sorted
	files []*ast.File // in that order
	info  *types.Info
	tpkg  *types.Package
	types []string // the type names it declares at the top
}

// A mergeGroup is the members compiled as one package.
type mergeGroup struct {
	members []*mergeMember
	files   map[string][]byte // by name in the package's folder
}

// A merger type-checks a batch's members and merges them.
type merger struct {
	root, name string // the module's root (absolute), the package's name
	fset       *token.FileSet
	imp        types.Importer
	sizes      types.Sizes
	goVersion  string // the module's, which the compiler holds the package to
}

func newMerger(root, name string) (*merger, error) {
	exports, err := exportsOf(root)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		if f, ok := exports[path]; ok {
			return os.Open(f)
		}
		return nil, fmt.Errorf("no export data for %s", path)
	})
	m := &merger{root: abs, name: name, fset: fset, imp: imp, sizes: types.SizesFor("gc", runtime.GOARCH)}
	if mod, err := os.ReadFile(filepath.Join(root, "go.mod")); err == nil {
		if v := goDirective.FindSubmatch(mod); v != nil {
			m.goVersion = "go" + string(v[1])
		}
	}
	return m, nil
}

var goDirective = regexp.MustCompile(`(?m)^go\s+([0-9][0-9.]*)\s*$`)

// check type-checks files, of a package of m.name.
func (m *merger) check(files []*ast.File) (*types.Package, *types.Info, error) {
	info := &types.Info{
		Defs:      map[*ast.Ident]types.Object{},
		Uses:      map[*ast.Ident]types.Object{},
		Implicits: map[ast.Node]types.Object{},
	}
	conf := types.Config{Importer: m.imp, Sizes: m.sizes, GoVersion: m.goVersion}
	tpkg, err := conf.Check(m.name, m.fset, files, info)
	if err == nil && tpkg.Name() != m.name {
		err = fmt.Errorf("package %s", tpkg.Name())
	}
	return tpkg, info, err
}

// member type-checks pkg, the index-th of its batch: nil if it is not to
// be merged.
func (m *merger) member(index int, pkg *Package) *mergeMember {
	mm := &mergeMember{index: index, pkg: pkg, names: slices.Sorted(maps.Keys(pkg.Files))}
	ctx := build.Default
	ctx.BuildTags = []string{"netgo", "osusergo"}
	ctx.CgoEnabled = false
	ctx.OpenFile = func(path string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(pkg.Files[filepath.Base(path)])), nil
	}
	for _, name := range mm.names {
		src := pkg.Files[name]
		// A file the go command would leave out (name_windows.go) is
		// for a build of its own.
		// Nor one that starts with a byte order mark, which the line
		// directive would put in the middle.
		if ok, err := ctx.MatchFile("/", name); !ok || err != nil || bytes.Contains(src, []byte(mergeMark)) ||
			bytes.HasPrefix(src, []byte("\uFEFF")) {
			return nil
		}
		f, err := parser.ParseFile(m.fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			return nil
		}
		mm.files = append(mm.files, f)
	}
	var err error
	if mm.tpkg, mm.info, err = m.check(mm.files); err != nil {
		return nil
	}
	scope := mm.tpkg.Scope()
	for _, n := range scope.Names() {
		if _, ok := scope.Lookup(n).(*types.TypeName); ok {
			if types.Universe.Lookup(n) != nil {
				return nil // it would be every member's
			}
			mm.types = append(mm.types, n)
		}
	}
	return mm
}

// renamed says whether obj, declared in mm's package, takes the mark.
func (mm *mergeMember) renamed(obj types.Object) bool {
	if obj == nil || obj.Name() == "_" || obj.Parent() != mm.tpkg.Scope() {
		return false
	}
	_, isType := obj.(*types.TypeName)
	return !isType
}

func (mm *mergeMember) mark() string { return mergeMark + strconv.Itoa(mm.index) }

// source writes mm's file, the i-th of its names, as the merged package
// has it: its names marked, in place, under a line directive that names
// it as the folder mm has in the batch.
func (m *merger) source(mm *mergeMember, i int) []byte {
	name, f := mm.names[i], mm.files[i]
	src := mm.pkg.Files[name]
	tf := m.fset.File(f.Pos())
	var at []int
	for _, uses := range []map[*ast.Ident]types.Object{mm.info.Defs, mm.info.Uses} {
		for id, obj := range uses {
			if mm.renamed(obj) && tf.Base() <= int(id.Pos()) && int(id.End()) <= tf.Base()+tf.Size() {
				at = append(at, tf.Offset(id.End()))
			}
		}
	}
	slices.Sort(at)
	at = slices.Compact(at)
	var b bytes.Buffer
	fmt.Fprintf(&b, "/*line %s:1:1*/", filepath.Join(m.root, filepath.FromSlash(BatchGraft(mm.index)), name))
	last := 0
	for _, off := range at {
		b.Write(src[last:off])
		b.WriteString(mm.mark())
		last = off
	}
	b.Write(src[last:])
	return b.Bytes()
}

// group merges members into as few packages as their type names allow
// (one type name, one member of a package), each checked with go/types;
// members of a package that does not check out are left out.
func (m *merger) group(members []*mergeMember) []*mergeGroup {
	var groups []*mergeGroup
	var typeNames []map[string]bool
	for _, mm := range members {
		g := slices.IndexFunc(typeNames, func(names map[string]bool) bool {
			return !slices.ContainsFunc(mm.types, func(n string) bool { return names[n] })
		})
		if g < 0 {
			g = len(groups)
			groups = append(groups, &mergeGroup{})
			typeNames = append(typeNames, map[string]bool{})
		}
		groups[g].members = append(groups[g].members, mm)
		for _, n := range mm.types {
			typeNames[g][n] = true
		}
	}
	var ok []*mergeGroup
	for _, g := range groups {
		if len(g.members) < 2 {
			continue // as well a package of its own
		}
		g.files = map[string][]byte{}
		for _, mm := range g.members {
			for i, name := range mm.names {
				g.files[fmt.Sprintf("m%d_%s", mm.index, name)] = m.source(mm, i)
			}
		}
		if m.verify(g) {
			ok = append(ok, g)
		}
	}
	return ok
}

// verify type-checks g's package and says whether every identifier of
// each member resolves in it to what it did in the member's own package:
// the same object of an import or the universe, or the merged
// counterpart of the member's own, marked if it is renamed.
func (m *merger) verify(g *mergeGroup) bool {
	var files []*ast.File
	for _, name := range slices.Sorted(maps.Keys(g.files)) {
		f, err := parser.ParseFile(m.fset, name, g.files[name], parser.SkipObjectResolution)
		if err != nil {
			return false
		}
		files = append(files, f)
	}
	_, info, err := m.check(files)
	if err != nil {
		return false
	}
	byName := map[string]*ast.File{}
	for _, f := range files {
		byName[filepath.Base(m.fset.File(f.Pos()).Name())] = f
	}
	for _, mm := range g.members {
		to := map[types.Object]types.Object{} // the member's objects, merged
		var pairs [][2]ast.Node
		for i, name := range mm.names {
			a, b := allNodes(mm.files[i]), allNodes(byName[fmt.Sprintf("m%d_%s", mm.index, name)])
			if len(a) != len(b) {
				return false
			}
			for j := range a {
				pairs = append(pairs, [2]ast.Node{a[j], b[j]})
			}
		}
		pair := func(a, b types.Object) bool {
			if (a == nil) != (b == nil) {
				return false
			}
			if a == nil {
				return true
			}
			want := a.Name()
			if mm.renamed(a) {
				want += mm.mark()
			}
			if b.Name() != want {
				return false
			}
			if old, ok := to[a]; ok && old != b {
				return false
			}
			to[a] = b
			return true
		}
		for _, p := range pairs {
			if !pair(mm.info.Implicits[p[0]], info.Implicits[p[1]]) {
				return false
			}
			if a, ok := p[0].(*ast.Ident); ok {
				if !pair(mm.info.Defs[a], info.Defs[p[1].(*ast.Ident)]) {
					return false
				}
			}
		}
		for _, p := range pairs {
			a, ok := p[0].(*ast.Ident)
			if !ok {
				continue
			}
			ua, ub := mm.info.Uses[a], info.Uses[p[1].(*ast.Ident)]
			if (ua == nil) != (ub == nil) {
				return false
			}
			if ua == nil {
				continue
			}
			ua, ub = origin(ua), origin(ub)
			if ua.Pkg() == mm.tpkg {
				if to[ua] != ub {
					return false
				}
			} else if ua != ub {
				return false
			}
		}
	}
	return true
}

// origin is obj's generic origin, for a field or method of an instance.
func origin(obj types.Object) types.Object {
	switch o := obj.(type) {
	case *types.Var:
		return o.Origin()
	case *types.Func:
		return o.Origin()
	}
	return obj
}

// allNodes are f's nodes in the order ast.Inspect visits them.
func allNodes(f *ast.File) []ast.Node {
	var nodes []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n != nil {
			nodes = append(nodes, n)
		}
		return true
	})
	return nodes
}

// planMerge type-checks the variants, numbered index, and merges those it
// can: nil when none (fewer than two) can be.
func planMerge(root, name string, variants []*Package, index []int) *mergePlan {
	m, err := newMerger(root, name)
	if err != nil {
		return nil
	}
	var members []*mergeMember
	for i, p := range variants {
		if mm := m.member(index[i], p); mm != nil {
			members = append(members, mm)
		}
	}
	if len(members) < 2 {
		return nil
	}
	groups := m.group(members)
	if len(groups) == 0 {
		return nil
	}
	plan := &mergePlan{byPkg: map[*Package]int{}, marks: map[*Package]string{}}
	for g, grp := range groups {
		plan.files = append(plan.files, grp.files)
		for _, mm := range grp.members {
			plan.byPkg[mm.pkg] = g
			plan.marks[mm.pkg] = mm.mark()
		}
	}
	plan.id = planID(plan.files)
	return plan
}
