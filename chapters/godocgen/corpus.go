package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/doc"
	"go/doc/comment"
	"go/parser"
	"go/printer"
	"go/token"
	"html/template"
	"io/fs"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Corpus renders the documentation of every package of the standard
// library under goroot/src that a program may import (no internal, vendor,
// testdata or cmd), and returns them zipped, with the number of pages.
// The build context is fixed (linux/amd64, no cgo, no experiments), the pages are in
// path order and every file's time is the same, so the bytes depend on
// the sources and the Go version alone.
func Corpus(goroot string) ([]byte, int, error) {
	ctx := build.Default
	ctx.GOROOT, ctx.GOOS, ctx.GOARCH, ctx.CgoEnabled = goroot, "linux", "amd64", false
	ctx.ToolTags = nil // not GOEXPERIMENT or GOAMD64 from the environment
	src := filepath.Join(goroot, "src")
	dirs, err := packageDirs(src)
	if err != nil {
		return nil, 0, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	n := 0
	for _, dir := range dirs {
		importPath := filepath.ToSlash(must(filepath.Rel(src, dir)))
		page, err := renderPackage(&ctx, dir, importPath)
		if err != nil {
			return nil, 0, err
		}
		if page == nil {
			continue // nothing this build context compiles, or a command
		}
		w, err := zw.CreateHeader(&zip.FileHeader{
			Name: importPath + ".html", Method: zip.Deflate, Modified: modified,
		})
		if err != nil {
			return nil, 0, err
		}
		if _, err := w.Write(page); err != nil {
			return nil, 0, err
		}
		n++
	}
	if err := zw.Close(); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), n, nil
}

// modified is every page's time in the zip: the corpus says which Go it
// came from, not when it was made.
var modified = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// packageDirs lists the folders of importable packages, sorted.
func packageDirs(src string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		switch name := d.Name(); {
		case p == src:
			return nil
		case name == "internal" || name == "vendor" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_"):
			return filepath.SkipDir
		case p == filepath.Join(src, "cmd"):
			return filepath.SkipDir
		}
		dirs = append(dirs, p)
		return nil
	})
	slices.Sort(dirs)
	return dirs, err
}

// renderPackage returns the page of the package in dir, or nil when the
// folder holds none for this build context, a command, or builtin (whose
// declarations are documentation, not a package to import).
func renderPackage(ctx *build.Context, dir, importPath string) ([]byte, error) {
	bp, err := ctx.ImportDir(dir, 0)
	if err != nil {
		if _, ok := err.(*build.NoGoError); ok {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: %w", importPath, err)
	}
	if bp.Name == "main" || importPath == "builtin" {
		return nil, nil
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	pkg, err := doc.NewFromFiles(fset, files, importPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", importPath, err)
	}
	r := renderer{fset: fset, pkg: pkg, from: importPath}
	var out bytes.Buffer
	if err := pageTemplate.Execute(&out, r.page()); err != nil {
		return nil, fmt.Errorf("%s: %w", importPath, err)
	}
	return out.Bytes(), nil
}

type renderer struct {
	fset *token.FileSet
	pkg  *doc.Package
	from string // the page's import path, for relative links
}

// A section is one declaration on a page: its heading, code and comment.
type section struct {
	ID, Title string
	Code      string
	Doc       template.HTML
}

type page struct {
	Name, ImportPath, Synopsis, GoVersion string
	Doc                                   template.HTML
	Consts, Vars, Funcs                   []section
	Types                                 []typeSection
}

type typeSection struct {
	Decl                         section
	Consts, Vars, Funcs, Methods []section
}

func (r renderer) page() page {
	p := page{
		Name: r.pkg.Name, ImportPath: r.pkg.ImportPath, GoVersion: runtime.Version(),
		Synopsis: r.pkg.Synopsis(r.pkg.Doc), Doc: r.html(r.pkg.Doc),
		Consts: r.values(r.pkg.Consts), Vars: r.values(r.pkg.Vars), Funcs: r.funcs(r.pkg.Funcs, ""),
	}
	for _, t := range r.pkg.Types {
		p.Types = append(p.Types, typeSection{
			Decl:   section{ID: t.Name, Title: "type " + t.Name, Code: r.code(t.Decl), Doc: r.html(t.Doc)},
			Consts: r.values(t.Consts), Vars: r.values(t.Vars),
			Funcs: r.funcs(t.Funcs, ""), Methods: r.funcs(t.Methods, t.Name+"."),
		})
	}
	return p
}

func (r renderer) values(vs []*doc.Value) []section {
	var out []section
	for _, v := range vs {
		out = append(out, section{Code: r.code(v.Decl), Doc: r.html(v.Doc)})
	}
	return out
}

func (r renderer) funcs(fs []*doc.Func, prefix string) []section {
	var out []section
	for _, f := range fs {
		title := "func " + f.Name
		if prefix != "" {
			title = "func (" + f.Recv + ") " + f.Name
		}
		out = append(out, section{ID: prefix + f.Name, Title: title, Code: r.code(f.Decl), Doc: r.html(f.Doc)})
	}
	return out
}

func (r renderer) code(node any) string {
	var b bytes.Buffer
	cfg := printer.Config{Mode: printer.UseSpaces, Tabwidth: 4}
	if err := cfg.Fprint(&b, r.fset, node); err != nil {
		panic(err)
	}
	return b.String()
}

// html renders a doc comment, its links to other pages relative to this
// one, as they sit beside it in the zip.
func (r renderer) html(text string) template.HTML {
	p := r.pkg.Printer()
	p.DocLinkURL = func(link *comment.DocLink) string {
		target := link.ImportPath
		if target == "" {
			target = r.from
		}
		rel := must(filepath.Rel(path.Dir(r.from), target))
		name := link.Name
		if link.Recv != "" {
			name = link.Recv + "." + name
		}
		u := filepath.ToSlash(rel) + ".html"
		if name != "" {
			u += "#" + name
		}
		return u
	}
	return template.HTML(p.HTML(r.pkg.Parser().Parse(text)))
}
