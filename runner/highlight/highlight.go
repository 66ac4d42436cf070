// Package highlight splits Go source into classified tokens for coloring,
// in the terminal and on the site. It uses go/scanner, the Go tokenizer
// itself, so it is exact for Go and costs the runner no dependency.
package highlight

import (
	"go/scanner"
	"go/token"
)

// Classes of token. The empty class is plain text (white space,
// identifiers, punctuation).
const (
	Keyword = "keyword"
	String  = "string"
	Number  = "number"
	Comment = "comment"
	Func    = "func"    // an identifier followed by '(' : a call or declaration
	Type    = "type"    // a predeclared type name
	Builtin = "builtin" // a predeclared function or constant
	Op      = "op"      // an operator
)

// A Token is a run of source text and its class.
type Token struct {
	Class string
	Text  string
}

var predeclaredTypes = map[string]bool{
	"any": true, "bool": true, "byte": true, "comparable": true, "complex64": true, "complex128": true,
	"error": true, "float32": true, "float64": true, "int": true, "int8": true, "int16": true,
	"int32": true, "int64": true, "rune": true, "string": true, "uint": true, "uint8": true,
	"uint16": true, "uint32": true, "uint64": true, "uintptr": true,
}

var builtins = map[string]bool{
	"append": true, "cap": true, "clear": true, "close": true, "complex": true, "copy": true,
	"delete": true, "imag": true, "len": true, "make": true, "max": true, "min": true, "new": true,
	"panic": true, "print": true, "println": true, "real": true, "recover": true,
	"true": true, "false": true, "iota": true, "nil": true,
}

// Go tokenizes src. Joining the tokens' Text gives src back exactly, even
// when src does not compile.
func Go(src string) []Token {
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(src))
	var s scanner.Scanner
	s.Init(file, []byte(src), nil, scanner.ScanComments)

	var out []Token
	emit := func(class, text string) {
		if text == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Class == class {
			out[n-1].Text += text
			return
		}
		out = append(out, Token{class, text})
	}
	type scanned struct {
		off int
		tok token.Token
		lit string
	}
	var toks []scanned
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		// Automatic semicolons at line ends have no text of their own.
		if tok == token.SEMICOLON && lit == "\n" {
			continue
		}
		toks = append(toks, scanned{file.Offset(pos), tok, lit})
	}
	done := 0
	for i, t := range toks {
		if t.off < done {
			continue
		}
		emit("", src[done:t.off]) // white space, or text the scanner skipped
		text := t.lit
		if text == "" {
			text = t.tok.String()
		}
		end := min(t.off+len(text), len(src))
		text = src[t.off:end]
		class := ""
		switch {
		case t.tok == token.COMMENT:
			class = Comment
		case t.tok == token.STRING || t.tok == token.CHAR:
			class = String
		case t.tok == token.INT || t.tok == token.FLOAT || t.tok == token.IMAG:
			class = Number
		case t.tok.IsKeyword():
			class = Keyword
		case t.tok == token.IDENT:
			switch {
			case i+1 < len(toks) && toks[i+1].tok == token.LPAREN && builtins[t.lit]:
				class = Builtin
			case i+1 < len(toks) && toks[i+1].tok == token.LPAREN && !predeclaredTypes[t.lit]:
				class = Func
			case predeclaredTypes[t.lit]:
				class = Type
			case builtins[t.lit]:
				class = Builtin
			}
		case t.tok.IsOperator() && t.tok != token.LPAREN && t.tok != token.RPAREN &&
			t.tok != token.LBRACE && t.tok != token.RBRACE && t.tok != token.LBRACK &&
			t.tok != token.RBRACK && t.tok != token.COMMA && t.tok != token.SEMICOLON &&
			t.tok != token.PERIOD && t.tok != token.COLON:
			class = Op
		}
		emit(class, text)
		done = end
	}
	emit("", src[done:])
	return out
}
