package site

import (
	"go/doc/comment"
	"html"
	"html/template"
	"regexp"
	"slices"
	"strings"
)

// goExpr finds Go in an exercise's prose: qualified names and calls
// (json.Marshal, rdb.Set(ctx, key, b, 0), errors.Is(err, redis.Nil)),
// composite types (map[string]int, []string), and %w.
var goExpr = regexp.MustCompile(`\b(?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*(?:\([^()]*\))?|\bmap\[\w+\]\w+|\[\]\w+|%w\b|\b[A-Z]\w*[a-z]\w*[A-Z]\w*\b`)

// isGo says whether a match of goExpr is Go rather than prose: "e.g" or
// "Redis.The" are not, json.Marshal is (a selector whose last name is
// exported, or a call), and so are the names the exercise asks for.
func isGo(m string, names []string) bool {
	switch {
	case strings.HasPrefix(m, "map[") || strings.HasPrefix(m, "[]") || m == "%w":
		return true
	case strings.Contains(m, "("):
		return true
	case strings.Contains(m, "."):
		last := m[strings.LastIndexByte(m, '.')+1:]
		return last != "" && last[0] >= 'A' && last[0] <= 'Z'
	}
	return slices.Contains(names, m)
}

// codeSpans writes plain text as HTML, with the Go in it as <code>.
func codeSpans(b *strings.Builder, text string, names []string) {
	last := 0
	for _, loc := range goExpr.FindAllStringIndex(text, -1) {
		m := text[loc[0]:loc[1]]
		if !isGo(m, names) {
			continue
		}
		b.WriteString(html.EscapeString(text[last:loc[0]]))
		b.WriteString("<code>" + html.EscapeString(m) + "</code>")
		last = loc[1]
	}
	b.WriteString(html.EscapeString(text[last:]))
}

// proseHTML is a line of plain prose (a hint) as HTML, its Go as code.
func proseHTML(text string, names []string) template.HTML {
	var b strings.Builder
	codeSpans(&b, text, names)
	return template.HTML(b.String())
}

// docHTML renders a Go doc comment's text as go doc and pkg.go.dev lay it
// out, and sets the Go it mentions (json.Marshal, the exercise's own
// functions named in names) as code, as a reader expects to see it.
func docHTML(text string, names []string) template.HTML {
	if strings.TrimSpace(text) == "" {
		return ""
	}
	var p comment.Parser
	var b strings.Builder
	for _, blk := range p.Parse(text).Content {
		writeDocBlock(&b, blk, names)
	}
	return template.HTML(b.String())
}

func writeDocBlock(b *strings.Builder, blk comment.Block, names []string) {
	switch blk := blk.(type) {
	case *comment.Paragraph:
		b.WriteString("<p>")
		writeDocText(b, blk.Text, names)
		b.WriteString("</p>\n")
	case *comment.Heading:
		b.WriteString("<h3>")
		writeDocText(b, blk.Text, names)
		b.WriteString("</h3>\n")
	case *comment.Code:
		b.WriteString("<pre>" + html.EscapeString(blk.Text) + "</pre>\n")
	case *comment.List:
		tag := "ul"
		if len(blk.Items) > 0 && blk.Items[0].Number != "" {
			tag = "ol"
		}
		b.WriteString("<" + tag + ">\n")
		for _, it := range blk.Items {
			b.WriteString("<li>")
			for _, c := range it.Content {
				if par, ok := c.(*comment.Paragraph); ok {
					writeDocText(b, par.Text, names)
				} else {
					writeDocBlock(b, c, names)
				}
			}
			b.WriteString("</li>\n")
		}
		b.WriteString("</" + tag + ">\n")
	}
}

func writeDocText(b *strings.Builder, text []comment.Text, names []string) {
	for _, t := range text {
		switch t := t.(type) {
		case comment.Plain:
			codeSpans(b, string(t), names)
		case comment.Italic:
			b.WriteString("<em>")
			codeSpans(b, string(t), names)
			b.WriteString("</em>")
		case *comment.Link:
			b.WriteString(`<a href="` + html.EscapeString(t.URL) + `">`)
			writeDocText(b, t.Text, names)
			b.WriteString("</a>")
		case *comment.DocLink:
			// [json.Marshal]: code, without a link that would need the network.
			var s strings.Builder
			writeDocText(&s, t.Text, nil)
			b.WriteString("<code>" + s.String() + "</code>")
		}
	}
}
