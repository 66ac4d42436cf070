package program

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"slices"
	"strings"

	"github.com/redis-notebook/tutorial/runner/chapter"
)

// A splitCell is one cell cut into what goes to package level (funcs, types,
// imports) and what runs inside main. Both texts are the cell's code with the
// other part blanked out, so every line and column stays where it was in the
// chapter and one //line directive maps each of them.
type splitCell struct {
	cell     *chapter.Cell
	decls    string   // package-level declarations; blank if none
	stmts    string   // statements; blank if none
	imports  []string // import specs the cell wrote itself, like `mrand "math/rand"`
	declared []string // names the statements declare at the cell's top level
	display  *exprPos // the final bare expression to display, if any
	voidFunc []string // funcs the cell declares that return nothing
}

// tok is a token of a cell, at byte offset off.
type tok struct {
	off int
	t   token.Token
	lit string
}

// exprPos is a byte range in stmts.
type exprPos struct {
	start, end int
	line, col  int // of start, in the chapter
}

// splitError reports a syntax error at the chapter's file:line:col.
func splitError(path string, c *chapter.Cell, pos token.Position, msg string) error {
	return &chapter.Error{Path: path, Line: c.Line + pos.Line - 1, Col: pos.Column, Msg: "syntax error: " + msg}
}

// split cuts a cell's code into declarations and statements, by scanning its
// tokens for func, type and import at the cell's top level.
func split(path string, c *chapter.Cell) (*splitCell, error) {
	src := neutraliseLineDirectives([]byte(c.Code))
	fset := token.NewFileSet()
	file := fset.AddFile("cell", -1, len(src))
	var firstErr error
	var s scanner.Scanner
	s.Init(file, src, func(pos token.Position, msg string) {
		if firstErr == nil {
			firstErr = splitError(path, c, pos, msg)
		}
	}, 0)

	var toks []tok
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		toks = append(toks, tok{file.Offset(pos), t, lit})
	}
	if firstErr != nil {
		return nil, firstErr
	}

	// Mark the byte ranges of top-level declarations.
	part := make([]part, len(src))
	depth := 0
	atStmtStart := true
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if depth == 0 && atStmtStart && startsDecl(toks, i) {
			j := i
			d := 0
			for ; j < len(toks); j++ {
				switch toks[j].t {
				case token.LPAREN, token.LBRACE, token.LBRACK:
					d++
				case token.RPAREN, token.RBRACE, token.RBRACK:
					d--
				}
				if d == 0 && toks[j].t == token.SEMICOLON {
					break
				}
			}
			end := len(src)
			if j < len(toks) {
				end = toks[j].off
				if toks[j].lit != "\n" { // an explicit ';' belongs to the declaration
					end++
				}
			}
			p := declPart
			if t.t == token.IMPORT {
				p = importPart
			}
			for k := t.off; k < end && k < len(src); k++ {
				part[k] = p
			}
			i = j
			atStmtStart = true
			continue
		}
		switch t.t {
		case token.LPAREN, token.LBRACE, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACE, token.RBRACK:
			depth--
		}
		atStmtStart = t.t == token.SEMICOLON || t.t == token.LBRACE || t.t == token.COLON
	}

	sc := &splitCell{cell: c, decls: keep(src, part, declPart), stmts: keep(src, part, stmtPart)}
	if err := sc.analyze(path, keep(src, part, importPart)); err != nil {
		return nil, err
	}
	return sc, nil
}

// startsDecl reports whether the token at i begins a package-level
// declaration: import, type, or a func with a name (not a func literal).
func startsDecl(toks []tok, i int) bool {
	switch toks[i].t {
	case token.IMPORT, token.TYPE:
		return true
	case token.FUNC:
	default:
		return false
	}
	if i+1 >= len(toks) {
		return false
	}
	if toks[i+1].t == token.IDENT {
		return true
	}
	if toks[i+1].t != token.LPAREN {
		return false
	}
	// func (recv T) Name(...) is a method; func(...) ... { is a literal.
	d := 0
	for j := i + 1; j < len(toks); j++ {
		switch toks[j].t {
		case token.LPAREN:
			d++
		case token.RPAREN:
			d--
			if d == 0 {
				return j+2 < len(toks) && toks[j+1].t == token.IDENT && toks[j+2].t == token.LPAREN
			}
		}
	}
	return false
}

// part says where a byte of a cell goes.
type part uint8

const (
	stmtPart part = iota
	declPart
	importPart
)

// keep returns src with the bytes not in the wanted part replaced by spaces,
// newlines kept, so positions survive.
func keep(src []byte, parts []part, want part) string {
	out := make([]byte, len(src))
	any := false
	for i, b := range src {
		if parts[i] == want || b == '\n' {
			out[i] = b
			if b != '\n' && b != ' ' && b != '\t' {
				any = true
			}
		} else {
			out[i] = ' '
		}
	}
	if !any {
		return ""
	}
	return string(out)
}

// analyze parses both parts to check their syntax and to find the names the
// statements declare and the final expression to display.
func (sc *splitCell) analyze(path, imports string) error {
	if imports != "" {
		const head = "package p;"
		f, err := parser.ParseFile(token.NewFileSet(), "", head+imports, parser.ImportsOnly)
		if err != nil {
			return sc.parseError(path, err, len(head))
		}
		for _, imp := range f.Imports {
			spec := imp.Path.Value
			if imp.Name != nil {
				spec = imp.Name.Name + " " + spec
			}
			sc.imports = append(sc.imports, spec)
		}
	}
	if sc.decls != "" {
		const head = "package p;"
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "", head+sc.decls, parser.SkipObjectResolution)
		if err != nil {
			return sc.parseError(path, err, len(head))
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Type.Results == nil {
				sc.voidFunc = append(sc.voidFunc, fd.Name.Name)
			}
		}
	}
	if sc.stmts == "" {
		return nil
	}
	const head = "package p;func _(){"
	src := head + sc.stmts + "\n}"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return sc.parseError(path, err, len(head))
	}
	body := f.Decls[0].(*ast.FuncDecl).Body.List
	for _, st := range body {
		sc.declared = append(sc.declared, declaredNames(st)...)
	}
	if len(body) > 0 {
		if es, ok := body[len(body)-1].(*ast.ExprStmt); ok {
			start := fset.Position(es.X.Pos())
			sc.display = &exprPos{
				start: start.Offset - len(head),
				end:   fset.Position(es.X.End()).Offset - len(head),
				line:  sc.cell.Line + start.Line - 1,
				col:   start.Column,
			}
			if start.Line == 1 {
				sc.display.col -= len(head)
			}
		}
	}
	return nil
}

// parseError maps go/parser's first error to the chapter; head is the
// length of the wrapper text before the cell on the first line.
func (sc *splitCell) parseError(path string, err error, head int) error {
	list, ok := err.(scanner.ErrorList)
	if !ok || len(list) == 0 {
		return &chapter.Error{Path: path, Line: sc.cell.Line, Msg: err.Error()}
	}
	pos := list[0].Pos
	if pos.Line == 1 {
		pos.Column -= head
	}
	// An error at the end of input (an unclosed brace) is reported past
	// the cell's last line, where the wrapper closed it; pin it to the cell.
	if last := strings.Count(strings.TrimRight(sc.cell.Code, "\n"), "\n") + 1; pos.Line > last {
		pos.Line, pos.Column = last, 1
	}
	if pos.Column < 1 {
		pos.Column = 1
	}
	return splitError(path, sc.cell, pos, list[0].Msg)
}

// declaredNames lists the variables and constants a statement declares in
// the scope it stands in.
func declaredNames(st ast.Stmt) []string {
	var names []string
	switch st := st.(type) {
	case *ast.AssignStmt:
		if st.Tok == token.DEFINE {
			for _, e := range st.Lhs {
				if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
					names = append(names, id.Name)
				}
			}
		}
	case *ast.DeclStmt:
		gd, ok := st.Decl.(*ast.GenDecl)
		if !ok || (gd.Tok != token.VAR && gd.Tok != token.CONST) {
			break
		}
		for _, spec := range gd.Specs {
			for _, id := range spec.(*ast.ValueSpec).Names {
				if id.Name != "_" {
					names = append(names, id.Name)
				}
			}
		}
	}
	return names
}

// neutraliseLineDirectives turns a cell's own line directives (//line
// and /*line comments) into plain comments of the same length: positions
// always name the chapter's file, and nothing after the comment moves a
// column. Only comments are touched, never a string that holds the words.
func neutraliseLineDirectives(src []byte) []byte {
	var s scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("cell", -1, len(src))
	s.Init(file, src, nil, scanner.ScanComments)
	var out []byte
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		if t != token.COMMENT || len(lit) < 6 || !isLineWord(lit[2:6]) {
			continue
		}
		if out == nil {
			out = slices.Clone(src)
		}
		// "line" in capitals is no directive to the compiler.
		copy(out[file.Offset(pos)+2:], "LINE")
	}
	if out == nil {
		return src
	}
	return out
}

// isLineWord says whether a comment's first four letters after // or /*
// could start a directive: the compiler wants "line" exactly, and this
// errs on the side of safety with any case.
func isLineWord(w string) bool { return strings.EqualFold(w, "line") }
