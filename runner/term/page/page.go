// Package page renders a chapter for a terminal: Markdown prose as
// wrapped, styled text, and Go code colored by token.
package page

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"github.com/redis-notebook/tutorial/runner/highlight"
	"github.com/redis-notebook/tutorial/runner/term"
)

var markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))

// Prose renders Markdown for the terminal, in style s.
func Prose(s term.Style, md string) string {
	src := []byte(md)
	doc := markdown.Parser().Parse(text.NewReader(src))
	r := &renderer{style: s, src: src}
	r.blocks(doc, "")
	return strings.TrimRight(r.out.String(), "\n") + "\n"
}

// Code renders Go source in style s, colored by token, each line indented.
func Code(s term.Style, src, indent string) string {
	var b strings.Builder
	b.WriteString(indent)
	for _, tok := range highlight.Go(strings.TrimRight(src, "\n")) {
		code := ""
		switch tok.Class {
		case highlight.Keyword:
			code = term.Magenta
		case highlight.String:
			code = term.Green
		case highlight.Number, highlight.Builtin:
			code = term.Yellow
		case highlight.Comment:
			code = term.Dim
		case highlight.Func:
			code = term.Blue
		case highlight.Type:
			code = term.Cyan
		}
		// Paint line by line so the indentation stays unpainted.
		for i, part := range strings.Split(tok.Text, "\n") {
			if i > 0 {
				b.WriteString("\n" + indent)
			}
			if code == "" {
				b.WriteString(part)
			} else {
				b.WriteString(s.Paint(code, part))
			}
		}
	}
	return b.String() + "\n"
}

type renderer struct {
	style term.Style
	src   []byte
	out   strings.Builder
}

// blocks renders the block children of n, each line prefixed.
func (r *renderer) blocks(n ast.Node, prefix string) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		r.block(c, prefix)
	}
}

func (r *renderer) block(n ast.Node, prefix string) {
	s := r.style
	switch n := n.(type) {
	case *ast.Heading:
		t := r.inline(n)
		if n.Level == 1 {
			t = s.Paint(term.Bold+";"+term.Underline, strings.ToUpper(stripANSI(t)))
		} else {
			t = s.Paint(term.Bold, strings.Repeat("#", n.Level)+" "+stripANSI(t))
		}
		r.out.WriteString(prefix + t + "\n\n")
	case *ast.Paragraph, *ast.TextBlock:
		r.out.WriteString(r.wrap(r.inline(n), prefix, prefix) + "\n")
		if _, ok := n.(*ast.Paragraph); ok {
			r.out.WriteString("\n")
		}
	case *ast.List:
		num := n.Start
		for item := n.FirstChild(); item != nil; item = item.NextSibling() {
			marker := "• "
			if n.IsOrdered() {
				marker = fmt.Sprintf("%d. ", num)
				num++
			}
			r.listItem(item, prefix, marker)
		}
		if !strings.HasSuffix(r.out.String(), "\n\n") {
			r.out.WriteString("\n")
		}
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		code := string(linesOf(n, r.src))
		if fb, ok := n.(*ast.FencedCodeBlock); ok && string(fb.Language(r.src)) == "go" {
			r.out.WriteString(Code(s, code, prefix+"    ") + "\n")
		} else {
			for _, l := range strings.Split(strings.TrimRight(code, "\n"), "\n") {
				r.out.WriteString(prefix + "    " + s.Paint(term.Cyan, l) + "\n")
			}
			r.out.WriteString("\n")
		}
	case *ast.Blockquote:
		r.blocks(n, prefix+s.Dim("│ "))
	case *ast.ThematicBreak:
		r.out.WriteString(prefix + s.Dim(strings.Repeat("─", 40)) + "\n\n")
	case *ast.HTMLBlock:
		r.out.WriteString(prefix + s.Dim(strings.TrimSpace(string(linesOf(n, r.src)))) + "\n\n")
	case *east.Table:
		r.table(n, prefix)
	default:
		r.blocks(n, prefix)
	}
}

func (r *renderer) listItem(item ast.Node, prefix, marker string) {
	pad := strings.Repeat(" ", utf8.RuneCountInString(marker))
	first := true
	for c := item.FirstChild(); c != nil; c = c.NextSibling() {
		switch c.(type) {
		case *ast.Paragraph, *ast.TextBlock:
			lead := prefix + "  " + pad
			if first {
				lead = prefix + "  " + r.style.Paint(term.Bold, marker)
			}
			r.out.WriteString(r.wrap(r.inline(c), lead, prefix+"  "+pad) + "\n")
		default:
			if first {
				r.out.WriteString(prefix + "  " + marker + "\n")
			}
			r.block(c, prefix+"  "+pad)
		}
		first = false
	}
}

func (r *renderer) table(t *east.Table, prefix string) {
	var rows [][]string
	for row := t.FirstChild(); row != nil; row = row.NextSibling() {
		var cells []string
		for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
			cells = append(cells, r.inline(cell))
		}
		rows = append(rows, cells)
	}
	widths := map[int]int{}
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], visibleLen(c))
		}
	}
	for ri, row := range rows {
		line := prefix + "  "
		for i, c := range row {
			if ri == 0 {
				c = r.style.Paint(term.Bold, stripANSI(c))
			}
			line += c + strings.Repeat(" ", widths[i]-visibleLen(c)+2)
		}
		r.out.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	r.out.WriteString("\n")
}

// inline renders the inline content of n to one styled string.
func (r *renderer) inline(n ast.Node) string {
	var b strings.Builder
	s := r.style
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(r.src))
			if c.HardLineBreak() {
				b.WriteString("\n")
			} else if c.SoftLineBreak() {
				b.WriteString(" ")
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.CodeSpan:
			b.WriteString(s.Paint(term.Cyan, stripANSI(r.inline(c))))
		case *ast.Emphasis:
			code := term.Italic
			if c.Level == 2 {
				code = term.Bold
			}
			b.WriteString(s.Paint(code, r.inline(c)))
		case *ast.Link:
			label := r.inline(c)
			b.WriteString(s.Paint(term.Underline, label))
			if dest := string(c.Destination); dest != stripANSI(label) && !strings.HasPrefix(dest, "#") {
				b.WriteString(s.Dim(" (" + dest + ")"))
			}
		case *ast.AutoLink:
			b.WriteString(s.Paint(term.Underline, string(c.URL(r.src))))
		case *ast.RawHTML:
			for i := 0; i < c.Segments.Len(); i++ {
				seg := c.Segments.At(i)
				b.Write(seg.Value(r.src))
			}
		default:
			b.WriteString(r.inline(c))
		}
	}
	return b.String()
}

// wrap breaks styled text into lines of the style's width, the first
// line led by first and the rest by rest.
func (r *renderer) wrap(t, first, rest string) string {
	var lines []string
	for _, para := range strings.Split(t, "\n") {
		line, lead := "", first
		width := r.style.Width - visibleLen(lead)
		for _, word := range strings.Fields(para) {
			switch {
			case line == "":
				line = word
			case visibleLen(line)+1+visibleLen(word) > width:
				lines = append(lines, lead+line)
				lead, line = rest, word
				width = r.style.Width - visibleLen(lead)
			default:
				line += " " + word
			}
		}
		lines = append(lines, lead+line)
		first = rest
	}
	return strings.Join(lines, "\n")
}

func linesOf(n ast.Node, src []byte) []byte {
	var b []byte
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b = append(b, seg.Value(src)...)
	}
	return b
}

// visibleLen counts the runes of s that are not escape sequences.
func visibleLen(s string) int { return utf8.RuneCountInString(stripANSI(s)) }

func stripANSI(s string) string {
	if !strings.Contains(s, "\x1b[") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
