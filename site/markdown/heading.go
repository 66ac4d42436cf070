package markdown

import (
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// Anchors is the extension that gives each section heading (level 2 and
// below) a link to itself, as mdBook and GitHub do, so a reader can copy
// the address of a section.
var Anchors goldmark.Extender = anchorsExtension{}

type anchorsExtension struct{}

func (anchorsExtension) Extend(m goldmark.Markdown) {
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(headingRenderer{}, 100)))
}

type headingRenderer struct{}

func (headingRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHeading, renderHeading)
}

func renderHeading(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Heading)
	level := "0123456"[n.Level]
	if entering {
		w.WriteString("<h")
		w.WriteByte(level)
		if n.Attributes() != nil {
			html.RenderAttributes(w, n, html.HeadingAttributeFilter)
		}
		w.WriteByte('>')
		return ast.WalkContinue, nil
	}
	// The anchor is no tab stop: the page's outline links to the same
	// places, and a chapter has many sections.
	if id, ok := n.AttributeString("id"); ok && n.Level > 1 {
		w.WriteString(`<a class="anchor" href="#`)
		if b, ok := id.([]byte); ok {
			w.Write(util.EscapeHTML(b))
		}
		w.WriteString(`" aria-label="Link to this section" tabindex="-1">#</a>`)
	}
	w.WriteString("</h")
	w.WriteByte(level)
	w.WriteString(">\n")
	return ast.WalkContinue, nil
}
