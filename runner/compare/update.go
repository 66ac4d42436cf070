package compare

import (
	"bytes"
	"strings"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
)

// Update returns the chapter's source with each cell's ```output fence
// rewritten to what the cell printed in res, adding fences where a cell
// printed something and had none. Cells that did not run keep theirs, and
// an unordered output that still matches is left as written, so that
// updating does not churn.
func Update(ch *chapter.Chapter, res *notebook.Result) []byte {
	type edit struct {
		start, end int
		text       string
	}
	var edits []edit
	for _, cr := range res.Cells {
		c := cr.Cell
		if !cr.Ran {
			continue
		}
		got := normalize(cr.Output)
		switch {
		case c.Expected != nil && !Equal(c.Expected.Text, got, c.Expected.Unordered):
			edits = append(edits, edit{c.Expected.Body.Start, c.Expected.Body.End, got})
		case c.Expected == nil && got != "":
			fence := fenceFor(got)
			edits = append(edits, edit{c.Fence.End, c.Fence.End, "\n" + fence + "output\n" + got + fence + "\n"})
		}
	}
	var out bytes.Buffer
	last := 0
	for _, e := range edits { // cells, and so edits, are in source order
		out.Write(ch.Source[last:e.start])
		out.WriteString(e.text)
		last = e.end
	}
	out.Write(ch.Source[last:])
	return out.Bytes()
}

// fenceFor returns a backtick fence longer than any run of backticks at
// the start of a line of text, so the text cannot close it.
func fenceFor(text string) string {
	n := 3
	for _, line := range strings.Split(text, "\n") {
		if run := len(line) - len(strings.TrimLeft(line, "`")); run >= n {
			n = run + 1
		}
	}
	return strings.Repeat("`", n)
}
