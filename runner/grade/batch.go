package grade

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/paths"
)

// A class's shims are linked several submissions to a program: the link
// of a go-redis program is most of a shim's build, and one link serves a
// whole batch. The submissions' packages are compiled as one package, or
// a few (see merge.go), and any that cannot be merged under an import
// path of its own (BatchGraft); the shim serves the one the checker names
// (package shim's MainBatch), and everything else is as for a shim of its
// own: the sandbox, one process per exercise, the verdict decided in the
// checker. Go runs the initialization of every package a program links,
// in every process of it: so only packages whose initialization runs none
// of their own code (inert) are linked together, and any other is built
// alone, as are those that do not compile in a batch.

// batchSize is how many submissions one shim links at most; 0 or 1:
// every submission built alone. A class's batches are as many as the
// builds that run at once (each a link, which uses one CPU most of its
// time), and no larger than this: a link more for a big class costs less
// than its first exercises waiting for one huge batch.
var batchSize = 32

// batchBuilds counts buildBatch's builds, for the benchmarks.
var batchBuilds atomic.Int64

// batchLen is the size of the batches of n inert submissions, jobs
// building at once.
func batchLen(n, jobs int) int {
	return max(1, min(batchSize, (n+jobs-1)/max(jobs, 1)))
}

// BatchGraft is the folder the i-th package of a batch is compiled as:
// as long as graftDir, so that messages with paths in them (a stack
// trace, cut to a length) read the same as a package built alone, once
// it is named graftDir again (see Harness.learnerPaths). The in-page
// check's tests name their cases' folders with it too.
func BatchGraft(i int) string {
	return fmt.Sprintf("runner/grade/s%09d/%s", i, filepath.Base(graftDir))
}

// batchImports are the imports a package may have to be linked with
// others: packages of the standard library, and go-redis, whose
// initialization is the same in every shim. Anything else (unsafe, embed,
// a package that registers itself somewhere) is built alone.
var batchImports = map[string]bool{
	"bytes": true, "cmp": true, "context": true, "encoding/json": true, "errors": true, "fmt": true,
	"iter": true, "maps": true, "math": true, "slices": true, "sort": true, "strconv": true,
	"strings": true, "sync": true, "sync/atomic": true, "time": true, "unicode": true,
	"unicode/utf8": true, goRedis: true,
}

// maxBatchSource is the most source a package linked with others may
// have: a batch is not slowed down for everyone by one huge package.
const maxBatchSource = 256 << 10

// Inert says whether linking pkg, whose files are to be package name, into a program runs none of its code
// unless a function of it is called: no func init, no package-level
// variable whose initializer could call anything, panic, block or
// allocate much, no compiler directive (//go:linkname), no import but
// batchImports, no fixed-size array in a package-level type or
// variable (a huge one is memory every process of the program would
// map). Decided conservatively, from the syntax alone: what it cannot
// tell is built alone. The in-page check's tests link the grader's cases
// that are inert into one program, as a batch.
func Inert(pkg *Package, name string) bool {
	if len(pkg.Refused) > 0 || pkg.Main != "" || len(pkg.Files) == 0 {
		return false
	}
	size := 0
	fset := token.NewFileSet()
	var files []*ast.File
	for _, file := range slices.Sorted(maps.Keys(pkg.Files)) {
		src := pkg.Files[file]
		size += len(src)
		f, err := parser.ParseFile(fset, file, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil || f.Name.Name != name {
			return false // the build says what is wrong, as for any package
		}
		files = append(files, f)
	}
	if size > maxBatchSource {
		return false
	}
	// Every name the package declares at the top: an identifier in an
	// initializer must be none of its variables (whose values are not
	// known here), and a composite literal's key none of them at all.
	vars, top := map[string]bool{}, map[string]bool{}
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					top[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							top[n.Name] = true
							if d.Tok == token.VAR {
								vars[n.Name] = true
							}
						}
					case *ast.TypeSpec:
						top[s.Name.Name] = true
					}
				}
			}
		}
	}
	for _, f := range files {
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if strings.HasPrefix(c.Text, "//go:") || strings.HasPrefix(c.Text, "//line") ||
					strings.HasPrefix(c.Text, "/*line") || strings.HasPrefix(c.Text, "// +build") ||
					strings.HasPrefix(c.Text, "//export") {
					return false
				}
			}
		}
		imports := map[string]bool{}
		for _, spec := range f.Imports {
			path, err := strconv.Unquote(spec.Path.Value)
			if err != nil || !batchImports[path] {
				return false
			}
			name := importName(path)
			if spec.Name != nil {
				if spec.Name.Name == "." {
					return false
				}
				name = spec.Name.Name
			}
			imports[name] = true
		}
		v := inertCheck{vars: vars, top: top, imports: imports}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.Name == "init" {
					return false
				}
			case *ast.GenDecl:
				switch d.Tok {
				case token.TYPE, token.VAR:
					if hasFixedArray(d) {
						return false
					}
				}
				if d.Tok != token.VAR {
					continue
				}
				for _, s := range d.Specs {
					for _, e := range s.(*ast.ValueSpec).Values {
						if !v.expr(e) {
							return false
						}
					}
				}
			}
		}
	}
	return true
}

// hasFixedArray says whether n has an array type of a given length (or
// [...]) anywhere in it.
func hasFixedArray(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if a, ok := n.(*ast.ArrayType); ok && a.Len != nil {
			found = true
		}
		return !found
	})
	return found
}

type inertCheck struct {
	vars, top, imports map[string]bool
}

// conversions are the types a package-level initializer may convert to
// by name: converting a value to them never panics.
var conversions = map[string]bool{
	"bool": true, "string": true, "byte": true, "rune": true, "uintptr": true,
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true,
	"float32": true, "float64": true, "complex64": true, "complex128": true,
}

// expr says whether evaluating e, a package-level initializer, surely
// runs no code of the package's and cannot panic, block or allocate much.
func (v inertCheck) expr(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		return !v.vars[e.Name]
	case *ast.FuncLit:
		return true // its body runs only when it is called
	case *ast.ParenExpr:
		return v.expr(e.X)
	case *ast.SelectorExpr:
		// An imported package's name (a constant, a function, a
		// variable read): nothing else, no field of a value.
		x, ok := e.X.(*ast.Ident)
		return ok && v.imports[x.Name] && !v.top[x.Name]
	case *ast.UnaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.XOR, token.NOT, token.AND:
			return v.expr(e.X)
		}
		return false // <-: a receive may block forever
	case *ast.BinaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.MUL, token.AND, token.OR, token.XOR, token.AND_NOT,
			token.LAND, token.LOR, token.LSS, token.GTR, token.LEQ, token.GEQ:
			return v.expr(e.X) && v.expr(e.Y)
		}
		// / and % may divide by zero, shifts panic on a negative count,
		// == on interfaces holding what cannot be compared.
		return false
	case *ast.CallExpr:
		// Only a conversion, to a type named above or to a slice type.
		switch f := e.Fun.(type) {
		case *ast.Ident:
			if !conversions[f.Name] || v.top[f.Name] {
				return false
			}
		case *ast.ArrayType:
			if f.Len != nil {
				return false // slice to array panics when too short
			}
		default:
			return false
		}
		if e.Ellipsis.IsValid() {
			return false
		}
		for _, a := range e.Args {
			if !v.expr(a) {
				return false
			}
		}
		return true
	case *ast.CompositeLit:
		if e.Type != nil && hasFixedArray(e.Type) {
			return false
		}
		for _, el := range e.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if !v.key(kv.Key) || !v.expr(kv.Value) {
					return false
				}
				continue
			}
			if !v.expr(el) {
				return false
			}
		}
		return true
	}
	return false
}

// key says whether k, a composite literal's key, is harmless: a field's
// name, a string, a small index. Not a function, nor a value that may
// hold one, which a map cannot hash (a panic), nor a large index (a huge
// slice).
func (v inertCheck) key(k ast.Expr) bool {
	switch k := k.(type) {
	case *ast.Ident:
		return !v.top[k.Name] && k.Name != "iota"
	case *ast.BasicLit:
		switch k.Kind {
		case token.STRING, token.CHAR:
			return true
		case token.INT:
			n, err := strconv.ParseUint(strings.ReplaceAll(k.Value, "_", ""), 0, 64)
			return err == nil && n < 1<<16
		}
	}
	return false
}

// batchMain writes the package main of a batch's shim: it passes the
// functions of the package -sub names, member index[i] of members, as a
// shim of its own would (see MainSource): from the member's package, or,
// for one plan merged, from its merged package, by their marked names.
func batchMain(set *PackageExercises, members []*Package, index []int, plan *mergePlan) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by the grader; DO NOT EDIT.\n\npackage main\n\nimport (\n\t%q\n", shimPkg)
	usable := func(p *Package) bool {
		return slices.ContainsFunc(MainFuncs(set, p), func(f MainFunc) bool { return f.Usable })
	}
	var groupUsed []bool
	if plan != nil {
		groupUsed = make([]bool, len(plan.files))
	}
	for i, p := range members {
		if g, ok := plan.group(p); ok {
			groupUsed[g] = groupUsed[g] || usable(p)
			continue
		}
		name := "_"
		if usable(p) {
			name = fmt.Sprintf("s%d", index[i])
		}
		fmt.Fprintf(&b, "\t%s %q\n", name, ModulePath+"/"+BatchGraft(index[i]))
	}
	for g, used := range groupUsed {
		name := "_"
		if used {
			name = fmt.Sprintf("g%d", g)
		}
		fmt.Fprintf(&b, "\t%s %q\n", name, ModulePath+"/"+mergedDir(g))
	}
	b.WriteString(")\n\nfunc main() {\n\tshim.MainBatch(func(sub string) map[string]any {\n\t\tswitch sub {\n")
	for i, p := range members {
		fmt.Fprintf(&b, "\t\tcase %q:\n\t\t\treturn map[string]any{\n", strconv.Itoa(index[i]))
		pkg, mark := fmt.Sprintf("s%d", index[i]), ""
		if g, ok := plan.group(p); ok {
			pkg, mark = fmt.Sprintf("g%d", g), plan.marks[p]
		}
		for _, f := range MainFuncs(set, p) {
			if f.Usable {
				fmt.Fprintf(&b, "\t\t\t\t%q: %s.%s%s,\n", f.Name, pkg, f.Name, mark)
			} else {
				fmt.Fprintf(&b, "\t\t\t\t%q: shim.Unusable(%q),\n", f.Name, f.Why())
			}
		}
		b.WriteString("\t\t\t}\n")
	}
	b.WriteString("\t\t}\n\t\treturn nil\n\t})\n}\n")
	return b.Bytes()
}

// buildBatch builds one shim for members, inert packages of set, the
// index[i]-th of their batch each, and returns a harness for each, in
// order: those plan merged (nil: none) compiled in its packages, the
// others each in a package of its own. A member of its own that does not
// compile fails the whole build (a *build.CompileError, positions in the
// members' snapshots: see blamed); so does a merged package that does
// not, with positions in no member's snapshot. A failed build is kept,
// by everything it was built of, so that grading the class again does
// not run it again.
func buildBatch(ctx context.Context, root string, set *PackageExercises, members []*Package, index []int, plan *mergePlan, isolated string, progress build.Progress) ([]*Harness, error) {
	replace := map[string]string{}
	h := sha256.New()
	srcs := make([]string, len(members))
	for i, p := range members {
		src, err := snapshot(p)
		if err != nil {
			return nil, err
		}
		srcs[i] = src
		if _, ok := plan.group(p); !ok {
			for name := range p.Files {
				replace[filepath.ToSlash(filepath.Join(BatchGraft(index[i]), name))] = filepath.Join(src, name)
			}
		}
		fmt.Fprintf(h, "%d %s\n", index[i], p.Hash)
	}
	if plan != nil {
		if err := plan.overlay(replace); err != nil {
			return nil, err
		}
		fmt.Fprintf(h, "merged %s\n", plan.id)
	}
	id := hex.EncodeToString(h.Sum(nil))
	overlay, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return nil, err
	}
	overlayFile := filepath.Join(build.CacheDir(), "sources", "grade", "batch-"+id[:20]+".json")
	if err := build.WriteFile(overlayFile, overlay); err != nil {
		return nil, err
	}
	shimSrc, err := sourcesOf(root, "runner/grade/shim", "runner/grade/wire", "runner/grade/verdict")
	if err != nil {
		return nil, err
	}
	main := batchMain(set, members, index, plan)
	name := isolated + "b" + id[:11]
	req := build.Request{
		Root:  root,
		Name:  name,
		Files: map[string][]byte{"main.go": main},
		// As CompileHarness builds a shim.
		Flags:  []string{"-overlay=" + overlayFile, "-ldflags=-s -w", "-tags=netgo,osusergo"},
		Inputs: [][]byte{shimSrc, []byte(id)},
	}
	// A build that failed before fails again: its messages are kept.
	var failed string
	if key, err := build.Key(req); err == nil {
		failed = filepath.Join(build.CacheDir(), "sources", "grade", "failed-"+key[:20]+".json")
		var ce build.CompileError
		if b, err := os.ReadFile(failed); err == nil && json.Unmarshal(b, &ce) == nil && len(ce.Diags) > 0 {
			return nil, &ce
		}
	}
	batchBuilds.Add(1)
	bin, err := sharedBuild(ctx, name+"\x00"+string(overlay)+"\x00"+string(main), req, progress)
	if ce, ok := errors.AsType[*build.CompileError](err); ok && len(ce.Diags) > 0 && failed != "" && ctx.Err() == nil {
		if b, err := json.Marshal(ce); err == nil {
			build.WriteFile(failed, b)
		}
	}
	if err != nil {
		return nil, err
	}
	checker, err := buildChecker(ctx, root, progress)
	if err != nil {
		return nil, err
	}
	hs := make([]*Harness, len(members))
	for i, p := range members {
		hs[i] = &Harness{Bin: checker, Shim: bin, pkg: p, src: srcs[i], exercises: set.Exercises,
			graft: BatchGraft(index[i]), sub: strconv.Itoa(index[i])}
		if g, ok := plan.group(p); ok {
			hs[i].merged = mergedDir(g)
			mergedMembers.Add(1)
		}
	}
	return hs, nil
}

// A member of a batch: the packages of the same files (submissions
// handed in alike share one package of the batch), the variant built of
// them, with the files that did not compile replaced as buildGraded
// replaces them, and those files' messages, for each package with its
// own positions.
type member struct {
	index   int // its number in the batch: the same in each build of it
	pkgs    []*Package
	variant *Package
	broken  []map[string][]build.Diagnostic // by package
	tries   int
}

// blame splits ce, a batch's failed build, among its members: each
// member's messages, as the compiler wrote them, by member. ok is false
// when a message is in no member's files (the generated main's, say), or
// in more than one's (two variants alike: whose is not known).
func blame(ce *build.CompileError, root string, members []*member) (by map[*member][]build.Diagnostic, ok bool) {
	by = map[*member][]build.Diagnostic{}
	for _, d := range ce.Diags {
		var in []*member
		for _, m := range members {
			real := paths.Resolved(snapshotDir(m.variant))
			for _, file := range paths.GoCommandCandidates(root, d.File) {
				if rel, ok := paths.Within(real, paths.Resolved(file)); ok && rel != "." {
					in = append(in, m)
					break
				}
			}
		}
		if len(in) != 1 {
			return nil, false
		}
		by[in[0]] = append(by[in[0]], d)
	}
	return by, true
}

// buildBatches builds the shims of pkgs, inert packages of set, in
// batches of batchLen, each batch holding a slot of builds
// while it builds, and gives each package's build to ready as its batch
// is built: nil for one to be built alone. A package with a file that
// does not compile has it replaced, as buildGraded does, and stays in the
// batch if its messages are all in its files; any other is built alone,
// and so is every package of a batch that fails for a reason no
// package's files give.
func buildBatches(ctx context.Context, opt Options, set *PackageExercises, pkgs []*Package, builds chan struct{}, ready func(*Package, *built)) {
	var wg sync.WaitGroup
	size := batchLen(len(pkgs), cap(builds))
	for len(pkgs) > 0 {
		n := min(len(pkgs), size)
		batch := pkgs[:n]
		pkgs = pkgs[n:]
		wg.Add(1)
		go func() {
			defer wg.Done()
			if builds != nil {
				builds <- struct{}{}
				defer func() { <-builds }()
			}
			start := time.Now()
			buildBatch1(ctx, opt, set, batch, ready)
			timings.builds.Add(int64(time.Since(start)))
		}()
	}
	wg.Wait()
}

func buildBatch1(ctx context.Context, opt Options, set *PackageExercises, pkgs []*Package, ready func(*Package, *built)) {
	byFile := map[string]Exercise{}
	for _, e := range set.Exercises {
		byFile[e.File] = e
	}
	var members []*member
	byHash := map[string]*member{}
	for _, p := range pkgs {
		m := byHash[p.Hash]
		if m == nil {
			m = &member{index: len(members), variant: p}
			byHash[p.Hash] = m
			members = append(members, m)
		}
		m.pkgs = append(m.pkgs, p)
		m.broken = append(m.broken, map[string][]build.Diagnostic{})
	}
	alone := func(m *member) {
		for _, p := range m.pkgs {
			ready(p, nil)
		}
	}
	// The members that go/types accepts as they are are merged, in
	// every build of the batch. A member that does not compile is built
	// in a package of its own, so that its messages are the compiler's
	// own; on the retry, the stubbed variants that go/types accepts are
	// merged in turn, in packages of their own added to the plan (the
	// packages merged before are compiled as they were, the build
	// cache's). None is merged any more once a merged package does not
	// compile.
	var plan *mergePlan
	merging := true
	fresh := members // the variants not planned yet
	for len(members) > 1 {
		variants, index := variantsOf(members)
		if merging && len(fresh) > 1 {
			fv, fi := variantsOf(fresh)
			plan = plan.and(planMerge(opt.Root, set.Package, fv, fi))
		}
		fresh = nil
		hs, err := buildBatch(ctx, opt.Root, set, variants, index, plan, opt.Isolated, opt.Progress)
		if err == nil {
			for i, m := range members {
				if _, ok := plan.group(m.variant); ok && m.variant != m.pkgs[0] {
					mergedStubbed.Add(int64(len(m.pkgs)))
				}
				for j, p := range m.pkgs {
					h := *hs[i]
					h.pkg = p
					ready(p, &built{h: &h, broken: m.broken[j]})
				}
				timings.batched.Add(int64(len(m.pkgs)))
			}
			return
		}
		ce, ok := errors.AsType[*build.CompileError](err)
		if !ok {
			break
		}
		by, ok := blame(ce, opt.Root, members)
		if !ok && plan != nil {
			plan, merging = nil, false // a merged package's message, or another's
			continue
		}
		if !ok {
			break
		}
		var rest []*member
		for _, m := range members {
			raw, failed := by[m]
			if !failed {
				rest = append(rest, m)
				continue
			}
			// As buildGraded: the files of its own these messages are
			// in, not replaced yet, are replaced; if none, its build
			// fails as a whole, which only a build of its own reports.
			// The packages are alike: the same files are blamed in each,
			// each with its own positions.
			m.tries++
			first := m.pkgs[0]
			var names []string
			for j, p := range m.pkgs {
				diags := learnerDiags(&build.CompileError{Diags: raw}, opt.Root, snapshotDir(m.variant), p.Display).Diags
				blamed := map[string][]build.Diagnostic{}
				for _, d := range diags {
					name := filepath.Base(d.File)
					if _, own := p.Files[name]; own && filepath.Dir(d.File) == p.Display && m.broken[j][name] == nil {
						blamed[name] = append(blamed[name], d)
					}
				}
				if j == 0 {
					names = slices.Sorted(maps.Keys(blamed))
				}
				maps.Copy(m.broken[j], blamed)
			}
			if len(names) == 0 || m.tries > len(first.Files) {
				alone(m)
				continue
			}
			v, err := replaced(first, m.broken[0], byFile, opt.Root, set.Package)
			if err != nil || !Inert(v, set.Package) {
				alone(m)
				continue
			}
			m.variant = v
			rest = append(rest, m)
			fresh = append(fresh, m)
		}
		members = rest
	}
	for _, m := range members {
		alone(m)
	}
}

// variantsOf returns the variant each of ms is built as, and its number
// in the batch.
func variantsOf(ms []*member) (variants []*Package, index []int) {
	for _, m := range ms {
		variants, index = append(variants, m.variant), append(index, m.index)
	}
	return variants, index
}
