package chapter

import (
	"fmt"
	"strconv"
	"strings"
)

// EditedLines is where the positions of edited cells start: line L of
// edited cell N is N*EditedLines+L, past the end of any chapter file, so
// that a compiler's message about an edit names the cell and the line in
// it, however the edit changed the cell's length. serve (natively) and
// gen.wasm (in the reader's tab) both number edits so.
const EditedLines = 1_000_000

// EditedPlace is the cell and the line within it of line, a position in a
// chapter with edits; ok is false for a line outside the edited cells.
func EditedPlace(line int) (cell, lineInCell int, ok bool) {
	if line <= EditedLines {
		return 0, 0, false
	}
	return line / EditedLines, line % EditedLines, true
}

// WithEdits returns a copy of ch in which each cell that edits names (by
// its index, in decimal, as a page sends it) holds that code, its lines
// numbered from EditedLines*index+1. Every cell of the copy is a copy, so
// a caller may change them; ch is left as it was. A name that is not one
// of ch's cells is an error.
func (ch *Chapter) WithEdits(edits map[string]string) (*Chapter, error) {
	edited := *ch
	edited.Blocks = make([]Block, len(ch.Blocks))
	known := map[int]bool{}
	for i, b := range ch.Blocks {
		edited.Blocks[i] = b
		if b.Cell == nil {
			continue
		}
		c := *b.Cell
		known[c.Index] = true
		if code, ok := edits[strconv.Itoa(c.Index)]; ok {
			if !strings.HasSuffix(code, "\n") {
				code += "\n"
			}
			c.Code = code
			c.Line = c.Index*EditedLines + 1
		}
		edited.Blocks[i].Cell = &c
	}
	for k := range edits {
		if n, err := strconv.Atoi(k); err != nil || !known[n] {
			return nil, fmt.Errorf("%s has no cell %q", ch.Path, k)
		}
	}
	return &edited, nil
}
