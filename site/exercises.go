package site

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"html/template"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/site/markdown"
)

// ManifestPath is where the exercises are listed, relative to the root.
// The grader owns the file: the site reads it with grade.LoadManifest.
const ManifestPath = grade.ManifestPath

// An exercisePage is one exercise: its task, taken from the doc comments
// of the stub the learner fills in, and its reference solution.
type exercisePage struct {
	ID           int
	Name, Title  string
	Points       int
	Hint         template.HTML
	Package      string
	File         string        // the stub, relative to the root, with slashes
	Intro        template.HTML // the stub's free-standing comments: what the exercise is about
	Decls        []exerciseDecl
	Solution     template.HTML // highlighted Go, "" when there is none
	Command      string        // the command that grades it
	SetIn        *exerciseSetting
	stubPath     string
	solutionPath string
	file         string // page file name
	ids          map[string]bool
	text         string // for the search index
}

// An exerciseSetting is where a chapter sets an exercise: the exercise's
// page links back to it.
type exerciseSetting struct {
	Chapter, Section string // titles
	URL              string // page#exercise-N
}

// An exerciseDecl is one thing the learner writes: its doc and signature.
type exerciseDecl struct {
	Name      string
	Signature template.HTML // highlighted
	Doc       template.HTML
}

// loadExercises reads the manifest, if the course has one, and each
// exercise's stub and solution.
func (b *builder) loadExercises() error {
	m, err := grade.LoadManifest(b.opt.Root)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if me, ok := errors.AsType[*grade.ManifestError](err); ok {
		return &chapter.Error{Path: me.Path, Line: me.Line, Msg: me.Msg}
	}
	if err != nil {
		return err
	}
	for _, e := range m.Exercises() {
		page := &exercisePage{
			ID: e.ID, Name: e.Name, Title: e.Title, Points: e.Points, Hint: proseHTML(e.Hint, e.Funcs), Package: e.Package,
			File:         "exercises/" + e.Package + "/" + e.File,
			Command:      fmt.Sprintf("go run ./runner check %d", e.ID),
			stubPath:     filepath.Join(b.opt.Root, "exercises", e.Package, e.File),
			solutionPath: filepath.Join(b.opt.Root, "solutions", e.Package, e.File),
			file:         fmt.Sprintf("exercise-%02d-%s.html", e.ID, e.Name),
			ids:          map[string]bool{"exercise": true, "task": true, "solution": true, "check": true},
		}
		if page.Title == "" {
			page.Title = e.Name
		}
		if err := page.readStub(e.Funcs); err != nil {
			return err
		}
		if err := page.readSolution(e.Funcs); err != nil {
			return err
		}
		b.exercises = append(b.exercises, page)
	}
	return nil
}

// readStub takes the task from the stub: each listed function's doc
// comment and signature, and the exported types the stub declares.
func (e *exercisePage) readStub(funcs []string) error {
	src, err := os.ReadFile(e.stubPath)
	if err != nil {
		return &chapter.Error{Path: e.stubPath, Msg: fmt.Sprintf("exercise %d: %v", e.ID, err)}
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, e.stubPath, src, parser.ParseComments)
	if err != nil {
		return &chapter.Error{Path: e.stubPath, Msg: err.Error()}
	}
	var text strings.Builder
	text.WriteString(e.Title + "\n")
	intro := introComment(f)
	e.Intro = docHTML(intro, funcs)
	text.WriteString(intro)
	found := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			if d.Tok != token.TYPE {
				continue
			}
			for _, s := range d.Specs {
				ts := s.(*ast.TypeSpec)
				if !ts.Name.IsExported() {
					continue
				}
				docGroup := ts.Doc
				if docGroup == nil && len(d.Specs) == 1 {
					docGroup = d.Doc
				}
				sig := "type " + string(src[fset.Position(ts.Pos()).Offset:fset.Position(ts.End()).Offset])
				e.Decls = append(e.Decls, e.decl(ts.Name.Name, sig, docGroup.Text(), funcs))
				text.WriteString(docGroup.Text())
			}
		case *ast.FuncDecl:
			if d.Recv != nil || !slices.Contains(funcs, d.Name.Name) {
				continue
			}
			found[d.Name.Name] = true
			sig := string(src[fset.Position(d.Pos()).Offset:fset.Position(d.Type.End()).Offset])
			e.Decls = append(e.Decls, e.decl(d.Name.Name, sig, d.Doc.Text(), funcs))
			text.WriteString(d.Doc.Text())
		}
	}
	for _, name := range funcs {
		if !found[name] {
			return &chapter.Error{Path: e.stubPath, Msg: fmt.Sprintf("exercise %d lists func %s, which this file does not declare", e.ID, name)}
		}
	}
	e.text = text.String()
	return nil
}

func (e *exercisePage) decl(name, sig, doc string, funcs []string) exerciseDecl {
	e.ids["decl-"+name] = true
	return exerciseDecl{Name: name, Signature: template.HTML(markdown.HighlightGo(sig)), Doc: docHTML(doc, funcs)}
}

// introComment is the text of the comments that stand on their own in a
// stub, after the package clause and outside any declaration: the
// exercise's introduction. A first paragraph "Exercise N: ..." only
// repeats the title, and is left out.
func introComment(f *ast.File) string {
	attached := map[*ast.CommentGroup]bool{f.Doc: true}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			attached[d.Doc] = true
		case *ast.GenDecl:
			attached[d.Doc] = true
			for _, s := range d.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok {
					attached[ts.Doc] = true
				}
			}
		}
	}
	var parts []string
	for _, g := range f.Comments {
		if attached[g] || g.Pos() < f.Name.End() || insideDecl(f, g) {
			continue
		}
		parts = append(parts, g.Text())
	}
	text := strings.Join(parts, "\n")
	if first, rest, ok := strings.Cut(text, "\n\n"); ok && strings.HasPrefix(first, "Exercise ") {
		text = rest
	} else if strings.HasPrefix(text, "Exercise ") && !strings.Contains(strings.TrimSpace(text), "\n") {
		text = ""
	}
	return text
}

func insideDecl(f *ast.File, g *ast.CommentGroup) bool {
	for _, d := range f.Decls {
		if d.Pos() <= g.Pos() && g.End() <= d.End() {
			return true
		}
	}
	return false
}

// readSolution keeps, from the reference solution, the listed functions
// whole and anything else it declares that the stub does not (helpers),
// as written, comments and all.
func (e *exercisePage) readSolution(funcs []string) error {
	src, err := os.ReadFile(e.solutionPath)
	if errors.Is(err, os.ErrNotExist) {
		e.solutionPath = ""
		return nil
	}
	if err != nil {
		return err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, e.solutionPath, src, parser.ParseComments)
	if err != nil {
		return &chapter.Error{Path: e.solutionPath, Msg: err.Error()}
	}
	inStub := map[string]bool{}
	for _, d := range e.Decls {
		inStub[d.Name] = true
	}
	var parts []string
	for _, d := range f.Decls {
		keep := false
		switch d := d.(type) {
		case *ast.FuncDecl:
			keep = slices.Contains(funcs, d.Name.Name) || (d.Recv == nil && !inStub[d.Name.Name])
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
			keep = true
			for _, s := range d.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok && inStub[ts.Name.Name] {
					keep = false
				}
			}
		}
		if keep {
			parts = append(parts, string(src[fset.Position(d.Pos()).Offset:fset.Position(d.End()).Offset]))
		}
	}
	e.Solution = template.HTML(markdown.HighlightGo(strings.Join(parts, "\n\n") + "\n"))
	return nil
}
