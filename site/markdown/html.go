package markdown

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// HTML is the extension that decides what raw HTML in a document becomes.
// A document that opts in (Options.AllowHTML) keeps it as written; in any
// other, it is shown as the text it is, escaped, so a stray <div> in prose
// cannot break the page, and HTML comments are dropped.
var HTML goldmark.Extender = htmlExtension{}

// KindEscapedHTML is the node kind of an HTML block shown as text.
var KindEscapedHTML = ast.NewNodeKind("EscapedHTML")

// An EscapedHTML is an HTML block that the document did not allow.
type EscapedHTML struct {
	ast.BaseBlock
	Source string // the HTML as written
}

// Kind implements ast.Node.
func (n *EscapedHTML) Kind() ast.NodeKind { return KindEscapedHTML }

// IsRaw implements ast.Node.
func (n *EscapedHTML) IsRaw() bool { return true }

// Dump implements ast.Node.
func (n *EscapedHTML) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Source": n.Source}, nil)
}

type htmlExtension struct{}

func (htmlExtension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(htmlTransformer{}, 200)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(htmlRenderer{}, 100)))
}

type htmlTransformer struct{}

func (htmlTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	if allow, _ := pc.Get(allowHTMLKey).(bool); allow {
		return
	}
	src := reader.Source()
	var blocks, inlines []ast.Node
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindHTMLBlock:
			blocks = append(blocks, n)
			return ast.WalkSkipChildren, nil
		case ast.KindRawHTML:
			inlines = append(inlines, n)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	// HTML comments are notes to the chapter's authors, which GitHub hides
	// too: they go, rather than show as text.
	for _, n := range blocks {
		h := n.(*ast.HTMLBlock)
		if h.HTMLBlockType == ast.HTMLBlockType2 {
			h.Parent().RemoveChild(h.Parent(), h)
			continue
		}
		var b strings.Builder
		lines := h.Lines()
		for i := range lines.Len() {
			seg := lines.At(i)
			b.Write(seg.Value(src))
		}
		if h.HasClosure() {
			b.Write(h.ClosureLine.Value(src))
		}
		e := &EscapedHTML{Source: b.String()}
		e.SetPos(blockPos(h))
		h.Parent().ReplaceChild(h.Parent(), h, e)
	}
	for _, n := range inlines {
		r := n.(*ast.RawHTML)
		var b []byte
		for i := range r.Segments.Len() {
			seg := r.Segments.At(i)
			b = append(b, seg.Value(src)...)
		}
		if bytes.HasPrefix(b, []byte("<!--")) {
			r.Parent().RemoveChild(r.Parent(), r)
			continue
		}
		s := ast.NewString(b)
		s.SetPos(r.Pos())
		r.Parent().ReplaceChild(r.Parent(), r, s)
	}
}

type htmlRenderer struct{}

func (htmlRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindEscapedHTML, renderEscapedHTML)
	reg.Register(ast.KindHTMLBlock, renderHTMLBlock)
	reg.Register(ast.KindRawHTML, renderRawHTML)
}

func renderEscapedHTML(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		w.WriteString(`<pre class="html-source">`)
		w.Write(util.EscapeHTML([]byte(node.(*EscapedHTML).Source)))
		w.WriteString("</pre>\n")
	}
	return ast.WalkSkipChildren, nil
}

// The transformer leaves raw HTML in the tree only where the document
// allowed it, so these write it as it is.
func renderHTMLBlock(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.HTMLBlock)
	if entering {
		lines := n.Lines()
		for i := range lines.Len() {
			seg := lines.At(i)
			w.Write(seg.Value(source))
		}
	} else if n.HasClosure() {
		w.Write(n.ClosureLine.Value(source))
	}
	return ast.WalkContinue, nil
}

func renderRawHTML(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		n := node.(*ast.RawHTML)
		for i := range n.Segments.Len() {
			seg := n.Segments.At(i)
			w.Write(seg.Value(source))
		}
	}
	return ast.WalkSkipChildren, nil
}
