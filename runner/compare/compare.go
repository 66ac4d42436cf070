// Package compare checks what a chapter's cells printed against the
// outputs the chapter expects, and rewrites those outputs on request.
package compare

import (
	"fmt"
	"slices"
	"strings"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/picture"
)

// A Mismatch is a cell whose output is not the expected one.
type Mismatch struct {
	Path      string
	Cell      *chapter.Cell
	Line      int    // of the ```output fence, or of the cell when it has none
	Expected  string // "" when the cell has no ```output fence
	Got       string
	Unordered bool
	// Pictures says what is wrong with the cell's pictures, when that is
	// the difference: none displayed, bytes that do not decode, another
	// size, or a printed line that reads as one.
	Pictures string
}

func (m Mismatch) String() string {
	var b strings.Builder
	if m.Cell.Expected == nil {
		fmt.Fprintf(&b, "%s:%d: cell %d printed output but has no ```output fence after it (--update adds one)\n", m.Path, m.Line, m.Cell.Index)
	} else {
		how := ""
		if m.Unordered {
			how = " (compared as unordered lines)"
		}
		fmt.Fprintf(&b, "%s:%d: cell %d printed something else than expected%s\n", m.Path, m.Line, m.Cell.Index, how)
	}
	if m.Pictures != "" {
		fmt.Fprintf(&b, "  %s\n", m.Pictures)
	}
	b.WriteString(Diff(m.Expected, m.Got, m.Unordered))
	return b.String()
}

// Check compares every cell that ran with its expected output. A cell that
// did not run is not compared; a cell that ran and printed nothing needs no
// ```output fence.
func Check(ch *chapter.Chapter, res *notebook.Result) []Mismatch {
	var out []Mismatch
	for _, cr := range res.Cells {
		if !cr.Ran {
			continue
		}
		c := cr.Cell
		m := Mismatch{Path: ch.Path, Cell: c, Line: c.Line - 1, Got: normalize(cr.Output)}
		if c.Expected == nil {
			if m.Got != "" {
				out = append(out, m)
			}
			continue
		}
		m.Line, m.Expected, m.Unordered = c.Expected.Line, normalize(c.Expected.Text), c.Expected.Unordered
		forged := ""
		if line, ok := cr.PrintedPictureLine(); ok {
			forged = fmt.Sprintf("the cell printed %q, which reads as a picture, but displayed none there (kernel.Image displays one)", line)
		}
		if forged != "" || !Equal(m.Expected, m.Got, m.Unordered) {
			m.Pictures = forged
			if m.Pictures == "" {
				m.Pictures = pictureNote(m.Expected, cr)
			}
			out = append(out, m)
		}
	}
	return out
}

// Equal reports whether two outputs match; unordered ones as multisets of
// lines.
func Equal(expected, got string, unordered bool) bool {
	expected, got = normalize(expected), normalize(got)
	if !unordered {
		return expected == got
	}
	return slices.Equal(sortedLines(expected), sortedLines(got))
}

// normalize makes a non-empty output end in exactly one newline, so a
// missing final newline in a print is not a difference, and drops the
// carriage returns of files edited on Windows.
func normalize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return s + "\n"
}

func sortedLines(s string) []string {
	lines := splitLines(s)
	slices.Sort(lines)
	return lines
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// pictureNote explains a mismatch in a cell's pictures in words, or
// returns "" when the pictures are not the difference.
func pictureNote(expected string, cr *notebook.CellResult) string {
	var want []string
	for _, line := range splitLines(expected) {
		if picture.IsLine(line) {
			want = append(want, line)
		}
	}
	for _, img := range cr.Images {
		if img.Err != "" {
			return fmt.Sprintf("the cell displayed an %s that does not decode: %s", img.Type, img.Err)
		}
	}
	switch {
	case len(want) > 0 && len(cr.Images) == 0:
		return fmt.Sprintf("the cell was to display a picture (%s) and displayed none", want[0])
	case len(want) != len(cr.Images):
		return fmt.Sprintf("the cell displayed %d pictures, and was to display %d", len(cr.Images), len(want))
	}
	for i, img := range cr.Images {
		if img.Line() != want[i] {
			return fmt.Sprintf("picture %d is %s, and was to be %s (pictures are compared by kind and size)", i+1, img.Line(), want[i])
		}
	}
	return ""
}
