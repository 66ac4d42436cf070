package site

import (
	"encoding/json"
	"strings"

	"github.com/yuin/goldmark/ast"

	"github.com/redis-notebook/tutorial/site/markdown"
)

// A searchEntry is one section of one page in the search index. The short
// JSON names keep the index small; assets/site.js reads them.
type searchEntry struct {
	Page  string `json:"p"` // the page's title
	Title string `json:"t"` // the section's heading ("" for the page's top)
	URL   string `json:"u"` // page, #section
	Text  string `json:"x"` // the section's words, markup removed
}

// chapterSections splits a chapter at its headings, for the index.
func chapterSections(p *chapterPage) []searchEntry {
	src := p.doc.Source
	title := p.ch.Title
	cur := searchEntry{Page: title, Title: "", URL: p.file}
	var text strings.Builder
	var out []searchEntry
	flush := func() {
		cur.Text = squeeze(text.String())
		if cur.Text != "" || cur.Title != "" {
			out = append(out, cur)
		}
		text.Reset()
	}
	for n := p.doc.Root.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok {
			flush()
			id, _ := h.AttributeString("id")
			idb, _ := id.([]byte)
			cur = searchEntry{Page: title, Title: squeeze(markdown.PlainText(h, src)), URL: p.file + "#" + string(idb)}
			if h.Level == 1 {
				cur.Title, cur.URL = "", p.file
			}
			continue
		}
		text.WriteString(markdown.PlainText(n, src))
		text.WriteString(" ")
	}
	flush()
	return out
}

// squeeze folds runs of white space into one space.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// searchIndexJS is the index as a script that sets a global: a script, not
// JSON to fetch, because pages opened from disk (file://) may not fetch.
func searchIndexJS(entries []searchEntry) ([]byte, error) {
	data, err := json.Marshal(entries)
	if err != nil {
		return nil, err
	}
	return append(append([]byte("window.SEARCH_INDEX = "), data...), ";\n"...), nil
}
