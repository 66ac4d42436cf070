package markdown

import (
	"bufio"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"

	"github.com/redis-notebook/tutorial/runner/highlight"
)

// Code is the extension that renders fenced code: Go highlighted by
// runner/highlight (go/scanner, so exact), other languages as plain text.
var Code goldmark.Extender = codeExtension{}

type codeExtension struct{}

func (codeExtension) Extend(m goldmark.Markdown) {
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(codeRenderer{}, 100)))
}

type codeRenderer struct{}

func (codeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, renderFencedCode)
}

func renderFencedCode(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.FencedCodeBlock)
	lang := strings.ToLower(string(n.Language(source)))
	var code strings.Builder
	lines := n.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		code.Write(seg.Value(source))
	}
	w.WriteString(`<pre class="code">`)
	if lang != "" {
		w.WriteString(`<code class="language-`)
		w.Write(util.EscapeHTML([]byte(lang)))
		w.WriteString(`">`)
	} else {
		w.WriteString("<code>")
	}
	if lang == "go" {
		writeGo(w, code.String())
	} else {
		w.Write(util.EscapeHTML([]byte(code.String())))
	}
	w.WriteString("</code></pre>\n")
	return ast.WalkSkipChildren, nil
}

// writeGo writes Go source as HTML, each classified token in a span whose
// class is "hl-" and its class (hl-keyword, hl-string, ...).
func writeGo(w util.BufWriter, src string) {
	for _, t := range highlight.Go(src) {
		if t.Class == "" {
			w.Write(util.EscapeHTML([]byte(t.Text)))
			continue
		}
		w.WriteString(`<span class="hl-`)
		w.WriteString(t.Class)
		w.WriteString(`">`)
		w.Write(util.EscapeHTML([]byte(t.Text)))
		w.WriteString("</span>")
	}
}

// HighlightGo returns Go source as HTML, the way the site shows Go code.
func HighlightGo(src string) string {
	var b strings.Builder
	w := bufio.NewWriter(&b)
	writeGo(w, src)
	w.Flush()
	return b.String()
}
