package markdown

import (
	"bufio"
	"bytes"
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
	reg.Register(ast.KindCodeSpan, renderCodeSpan)
}

// renderCodeSpan writes inline code with each word that holds a hyphen
// (--step, go-redis) in a span the stylesheet keeps on one line: a
// browser may break a line after any hyphen, and "--" on one line and
// "step" on the next reads as two things. The text copies as written.
func renderCodeSpan(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	var text []byte
	for c := node.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			v := t.Segment.Value(source)
			if bytes.HasSuffix(v, []byte("\n")) { // a code span across lines: one space
				v = append(v[:len(v)-1:len(v)-1], ' ')
			}
			text = append(text, v...)
		}
	}
	w.WriteString("<code>")
	for i, word := range bytes.Split(text, []byte(" ")) {
		if i > 0 {
			w.WriteByte(' ')
		}
		if bytes.IndexByte(word, '-') >= 0 {
			w.WriteString(`<span class="nobr">`)
			w.Write(util.EscapeHTML(word))
			w.WriteString("</span>")
		} else {
			w.Write(util.EscapeHTML(word))
		}
	}
	w.WriteString("</code>")
	return ast.WalkSkipChildren, nil
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
