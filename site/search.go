package site

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"

	"github.com/redis-notebook/tutorial/site/markdown"
)

// A searchEntry is one place the search leads to: a section's prose, or a
// cell (its code and what it printed). The short JSON names keep the index
// small; assets/site.js reads them.
type searchEntry struct {
	Page  string `json:"-"`           // the page's title, written once in searchIndex.Pages
	PageN int    `json:"p"`           // the page's title, as an index into searchIndex.Pages
	Title string `json:"t,omitempty"` // the section's heading ("" for the page's top and for code)
	URL   string `json:"u"`           // page, #section or #cell-N
	Text  string `json:"x"`           // the prose's words, or the cell's code and output
	// Code marks a code block. It belongs to the section of the prose
	// entry before it, whose title the script shows with it.
	Code bool `json:"c,omitempty"`
}

// maxOutputIndexed bounds how much of one cell's output the index holds:
// enough to find "PONG" or an error, not the whole of a word list.
const maxOutputIndexed = 240

// chapterSections splits a chapter into the index's entries: the prose of
// each section, under its heading, and each code block on its own, so a
// result leads to the cell and a snippet never mixes code into prose.
func chapterSections(p *chapterPage) []searchEntry {
	src := p.doc.Source
	title := p.ch.Title
	cur := searchEntry{Page: title, Title: "", URL: p.file}
	var text strings.Builder
	var out, code []searchEntry
	flush := func() {
		// Always the section's entry, even without prose: its code needs it.
		cur.Text = squeeze(text.String())
		if cur.Text != "" || cur.Title != "" || len(code) > 0 {
			out = append(out, cur)
		}
		out = append(out, code...)
		text.Reset()
		code = nil
	}
	for n := p.doc.Root.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Heading:
			flush()
			id, _ := n.AttributeString("id")
			idb, _ := id.([]byte)
			cur = searchEntry{Page: title, Title: squeeze(markdown.PlainText(n, src)), URL: p.file + "#" + string(idb)}
			if n.Level == 1 {
				cur.Title, cur.URL = "", p.file
			}
		case *markdown.Cell:
			x := n.Code
			if n.Ran && n.Output != "" {
				x += "\n" + truncate(n.Output, maxOutputIndexed)
			}
			code = append(code, searchEntry{Page: title, URL: p.file + "#" + n.ID(), Text: squeeze(x), Code: true})
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			code = append(code, searchEntry{Page: title, URL: cur.URL, Text: squeeze(markdown.PlainText(n, src)), Code: true})
		default:
			text.WriteString(markdown.PlainText(n, src))
			text.WriteString(" ")
		}
	}
	flush()
	return out
}

// truncate cuts s to at most n bytes, at a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// squeeze folds runs of white space into one space.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// A searchIndex is what the site's search reads: every entry, and the
// pages' titles, which the entries name by number (a chapter has dozens).
type searchIndex struct {
	Pages   []string      `json:"pages"`
	Entries []searchEntry `json:"entries"`
}

// searchIndexJS is the index as a script that sets a global: a script, not
// JSON to fetch, because pages opened from disk (file://) may not fetch.
// It is a file of its own, never inline in a page, so <, > and & need no
// escaping.
func searchIndexJS(entries []searchEntry) ([]byte, error) {
	ix := searchIndex{Entries: entries}
	num := map[string]int{}
	for i := range ix.Entries {
		e := &ix.Entries[i]
		n, ok := num[e.Page]
		if !ok {
			n = len(ix.Pages)
			num[e.Page] = n
			ix.Pages = append(ix.Pages, e.Page)
		}
		e.PageN = n
	}
	var b bytes.Buffer
	b.WriteString("window.SEARCH_INDEX = ")
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ix); err != nil {
		return nil, err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	b.WriteString(";\n")
	return b.Bytes(), nil
}
