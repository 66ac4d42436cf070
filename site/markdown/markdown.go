// Package markdown is the site's Markdown: goldmark with GitHub flavoured
// Markdown and heading IDs, extended only through goldmark's own extension
// points, as goldmark's extensions and Hugo's render hooks are:
//
//   - an AST transformer turns a chapter's cells into Cell nodes, which
//     carry the output the cell printed, and drops their ```output fences;
//   - renderers registered per node kind draw cells, Go code (highlighted by
//     runner/highlight), headings with anchor links, and raw HTML;
//   - raw HTML is turned into escaped text unless the document opts in.
//
// Parse and Render are separate so that the site can read the tree between
// them: headings for outlines and search, links to check and rewrite.
package markdown

import (
	"bytes"
	"io"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// A Converter parses and renders Markdown. It is safe for concurrent use.
type Converter struct {
	md goldmark.Markdown
}

// New returns the site's Markdown converter.
func New() *Converter {
	return &Converter{md: goldmark.New(
		goldmark.WithExtensions(extension.GFM, Cells, Code, Anchors, HTML),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	)}
}

// Options are what one document brings besides its text.
type Options struct {
	// Cells are the document's cells, each with the byte range of its
	// ```go fence in the source. They replace those fences in the tree.
	Cells []*Cell
	// AllowHTML lets raw HTML through; otherwise it is shown as text.
	AllowHTML bool
}

// A Document is parsed Markdown, ready to read, change and render.
type Document struct {
	Root     *ast.Document
	Source   []byte
	Headings []Heading // in document order
}

// A Heading is a section title and the ID it is linked by.
type Heading struct {
	Level int
	ID    string
	Text  string
	Line  int // 1-based, in the source
	Node  *ast.Heading
}

// Parse reads src into a Document. It fails only when a cell's fence is not
// a top-level fenced code block for goldmark (a chapter whose Markdown does
// not mean what its cells say), with the line of that cell.
func (c *Converter) Parse(src []byte, opt Options) (*Document, error) {
	pc := parser.NewContext()
	for _, cell := range opt.Cells {
		pc.IDs().Put([]byte(cell.ID()))
	}
	placed := map[*Cell]bool{}
	pc.Set(cellsKey, &cellsInput{cells: opt.Cells, placed: placed})
	pc.Set(allowHTMLKey, opt.AllowHTML)
	root := c.md.Parser().Parse(text.NewReader(src), parser.WithContext(pc)).(*ast.Document)
	for _, cell := range opt.Cells {
		if !placed[cell] {
			return nil, &PosError{Line: Line(src, cell.Start), Msg: "this ```go cell is not a fenced code block at the top level of the Markdown (inside a list or quote?), so the page cannot show it"}
		}
	}
	doc := &Document{Root: root, Source: src}
	ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			id, _ := h.AttributeString("id")
			idb, _ := id.([]byte)
			doc.Headings = append(doc.Headings, Heading{
				Level: h.Level, ID: string(idb), Text: strings.TrimSpace(PlainText(h, src)), Line: Line(src, blockPos(h)), Node: h,
			})
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return doc, nil
}

// Render writes the document as HTML.
func (c *Converter) Render(w io.Writer, d *Document) error {
	return c.md.Renderer().Render(w, d.Source, d.Root)
}

// A PosError is a problem at a line of the source; the caller adds the
// file name.
type PosError struct {
	Line int
	Msg  string
}

func (e *PosError) Error() string { return e.Msg }

// Line returns the 1-based line of byte offset off in src.
func Line(src []byte, off int) int {
	if off < 0 {
		return 0
	}
	return bytes.Count(src[:min(off, len(src))], []byte("\n")) + 1
}

// Pos returns the byte offset where n starts in the source, or -1.
func Pos(n ast.Node) int {
	if n.Type() == ast.TypeBlock {
		return blockPos(n)
	}
	return n.Pos()
}

// blockPos is where a block starts: goldmark records it, and for blocks
// built from lines the first line says it too.
func blockPos(n ast.Node) int {
	if p := n.Pos(); p >= 0 {
		return p
	}
	if l := n.Lines(); l != nil && l.Len() > 0 {
		return l.At(0).Start
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if p := Pos(c); p >= 0 {
			return p
		}
	}
	return -1
}

// PlainText is the text of n and its descendants without markup, as a
// search index or a table of contents wants it.
func PlainText(n ast.Node, src []byte) string {
	var b bytes.Buffer
	writePlain(&b, n, src)
	return string(b.Bytes())
}

func writePlain(b *bytes.Buffer, n ast.Node, src []byte) {
	switch n := n.(type) {
	case *ast.Text:
		b.Write(n.Value(src))
		if n.SoftLineBreak() || n.HardLineBreak() {
			b.WriteByte(' ')
		}
		return
	case *ast.String:
		b.Write(n.Value)
		return
	case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
		l := n.Lines()
		for i := range l.Len() {
			seg := l.At(i)
			b.Write(seg.Value(src))
		}
		return
	case *ast.AutoLink:
		b.Write(n.Label(src))
		return
	case *Cell:
		b.WriteString(n.Code)
		return
	case *EscapedHTML:
		b.WriteString(n.Source)
		return
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		writePlain(b, c, src)
	}
	if n.Type() == ast.TypeBlock && b.Len() > 0 && b.Bytes()[b.Len()-1] != '\n' {
		b.WriteByte('\n')
	}
}
