package markdown

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/redis-notebook/tutorial/runner/term"
)

// KindCell is the node kind of a cell.
var KindCell = ast.NewNodeKind("Cell")

// A Cell is a chapter's ```go cell in the tree, with what it printed when
// the site was built. The transformer puts it where the fence was.
type Cell struct {
	ast.BaseBlock

	Index int    // 1-based among the chapter's cells
	Code  string // the cell's source
	// Start and End are the byte range of the whole fence in the source,
	// opening line to closing line; the transformer finds the fence by it.
	Start, End int

	Ran    bool   // false: shown only (norun, other backend)
	Note   string // for a cell that did not run: why, for the reader
	Output string // what it printed, when it ran
	// Images are the pictures it displayed, each shown in place of its
	// line in Output.
	Images []Image

	// Differs marks an output that is not the one the chapter expects (a
	// build that was asked to keep going); Expected is then shown too.
	Differs  bool
	Expected string

	// Facts say what the cell did to Redis when it ran: the keys it
	// created (+), changed (~) and deleted (-), and the commands it sent.
	Facts []string
}

// An Image is a picture a cell displayed, served as a file of the site:
// an <img> never runs what an SVG holds, so the picture needs no
// sanitising.
type Image struct {
	Offset        int    // where its line starts in the cell's Output
	Line          string // that line: "image/svg+xml 640×400"
	Src           string // its file, relative to the page
	Alt           string // what it shows, in words, from the cell
	Width, Height int
}

// ID is the HTML id of the cell's element.
func (c *Cell) ID() string { return "cell-" + strconv.Itoa(c.Index) }

// Kind implements ast.Node.
func (c *Cell) Kind() ast.NodeKind { return KindCell }

// IsRaw implements ast.Node: a cell has no inline children.
func (c *Cell) IsRaw() bool { return true }

// Dump implements ast.Node.
func (c *Cell) Dump(source []byte, level int) {
	ast.DumpHelper(c, source, level, map[string]string{
		"Index": strconv.Itoa(c.Index), "Ran": strconv.FormatBool(c.Ran),
	}, nil)
}

var (
	cellsKey     = parser.NewContextKey()
	allowHTMLKey = parser.NewContextKey()
)

type cellsInput struct {
	cells  []*Cell
	placed map[*Cell]bool
}

// Cells is the extension that shows a chapter's cells with their outputs.
var Cells goldmark.Extender = cellsExtension{}

type cellsExtension struct{}

func (cellsExtension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(cellTransformer{}, 100)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(cellRenderer{}, 100)))
}

type cellTransformer struct{}

// Transform replaces each top-level fence that is a cell by its Cell, and
// removes the ```output fence after it: the page shows what the cell
// printed this run, not what the chapter says it prints.
func (cellTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	in, _ := pc.Get(cellsKey).(*cellsInput)
	if in == nil || len(in.cells) == 0 {
		return
	}
	src := reader.Source()
	for n := doc.FirstChild(); n != nil; {
		next := n.NextSibling()
		fence, ok := n.(*ast.FencedCodeBlock)
		if !ok {
			n = next
			continue
		}
		pos := blockPos(fence)
		for _, c := range in.cells {
			// The fence must open on the cell's first line: goldmark may
			// see a fence elsewhere in the span (a closing line, when the
			// opening one is inside a list) that is not this cell.
			open := c.End
			if nl := bytes.IndexByte(src[c.Start:c.End], '\n'); nl >= 0 {
				open = c.Start + nl
			}
			if pos < c.Start || pos >= open || in.placed[c] {
				continue
			}
			in.placed[c] = true
			doc.ReplaceChild(doc, fence, c)
			if out, ok := next.(*ast.FencedCodeBlock); ok && string(out.Language(src)) == "output" {
				after := out.NextSibling()
				doc.RemoveChild(doc, out)
				next = after
			}
			break
		}
		n = next
	}
}

type cellRenderer struct{}

func (cellRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindCell, renderCell)
}

func renderCell(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	c := node.(*Cell)
	class := "cell"
	if !c.Ran {
		class += " cell-norun"
	}
	fmt.Fprintf(w, "<div class=\"%s\" id=\"%s\">\n", class, c.ID())
	// The cell's number links to it, for copying its address; it is no tab
	// stop (a chapter has dozens), and screen readers list it with the links.
	fmt.Fprintf(w, "<div class=\"cell-code\"><a class=\"cell-label\" href=\"#%s\" title=\"Link to cell %d\" tabindex=\"-1\">[%d]</a>", c.ID(), c.Index, c.Index)
	w.WriteString(`<pre class="code"><code class="language-go">`)
	writeGo(w, c.Code)
	w.WriteString("</code></pre></div>\n")
	switch {
	case !c.Ran:
		if c.Note != "" {
			w.WriteString(`<p class="cell-note">`)
			w.Write(util.EscapeHTML([]byte(c.Note)))
			w.WriteString("</p>\n")
		}
	case c.Differs:
		w.WriteString("<div class=\"cell-output cell-differs\"><div class=\"output-label\">Output (differs from the expected output below)</div>")
		writeOutput(w, c.Output, c.Images)
		w.WriteString("<div class=\"output-label\">Expected</div>")
		writeOutput(w, c.Expected, nil)
		w.WriteString("</div>\n")
	case c.Output != "" && hasErrorLine(c.Output):
		w.WriteString("<div class=\"cell-output cell-error\"><div class=\"output-label\">Output, with an error</div>")
		writeOutput(w, c.Output, c.Images)
		w.WriteString("</div>\n")
	case c.Output != "":
		w.WriteString("<div class=\"cell-output\"><div class=\"output-label\">Output</div>")
		writeOutput(w, c.Output, c.Images)
		w.WriteString("</div>\n")
	}
	if c.Ran && len(c.Facts) > 0 {
		w.WriteString(`<p class="cell-facts">`)
		for i, f := range c.Facts {
			if i > 0 {
				w.WriteString("<br>")
			}
			w.Write(util.EscapeHTML([]byte(f)))
		}
		w.WriteString("</p>\n")
	}
	w.WriteString("</div>\n")
	return ast.WalkSkipChildren, nil
}

// errorPrefixes start the lines of an output that report an error: the
// kernel's display of an error value, and a Go panic.
var errorPrefixes = []string{"error: ", "panic: "}

func isErrorLine(line string) bool {
	for _, p := range errorPrefixes {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

func hasErrorLine(s string) bool {
	for line := range strings.Lines(s) {
		if isErrorLine(line) {
			return true
		}
	}
	return false
}

// writeOutput writes what a cell printed, its error lines marked so that
// they stand out from the rest (in colour and weight, and by the label),
// and the pictures it displayed in place of their lines.
func writeOutput(w util.BufWriter, s string, images []Image) {
	at := 0
	for _, img := range images {
		if img.Offset < at || img.Offset > len(s) || !strings.HasPrefix(s[img.Offset:], img.Line) {
			continue // not where the output says: its line stays text
		}
		if text := s[at:img.Offset]; text != "" {
			writeText(w, text)
		}
		// data-line is the picture's line in the output, for run.js to
		// compare a live run's with.
		fmt.Fprintf(w, `<img class="output-image" src="%s" alt="%s" width="%d" height="%d" data-line="%s">`,
			util.EscapeHTML([]byte(img.Src)), util.EscapeHTML([]byte(term.Visible(img.Alt))), img.Width, img.Height,
			util.EscapeHTML([]byte(img.Line)))
		at = img.Offset + len(img.Line)
		if at < len(s) && s[at] == '\n' {
			at++
		}
	}
	if at == 0 || at < len(s) {
		writeText(w, s[at:])
	}
}

// writeText writes text a cell printed.
func writeText(w util.BufWriter, s string) {
	// A terminal escape in a page is invisible, or garbage: shown as text,
	// as the walk shows it (term.Visible).
	s = term.Visible(s)
	w.WriteString("<pre class=\"output\"><samp>")
	for line := range strings.Lines(s) {
		if isErrorLine(line) {
			body := strings.TrimSuffix(line, "\n")
			w.WriteString(`<span class="out-error">`)
			w.Write(util.EscapeHTML([]byte(body)))
			w.WriteString("</span>")
			w.WriteString(line[len(body):])
			continue
		}
		w.Write(util.EscapeHTML([]byte(line)))
	}
	w.WriteString("</samp></pre>")
}
