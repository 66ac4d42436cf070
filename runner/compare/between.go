package compare

import (
	"fmt"
	"strings"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
)

// A Divergence is a cell that printed one thing on the embedded miniredis
// and another on a real server. A chapter must hold on both, so its
// expected output cannot be either one until the cell or its fence says
// how they may differ.
type Divergence struct {
	Path      string
	Cell      *chapter.Cell
	Miniredis string
	Redis     string
}

// Fence is the change of fence that would let the chapter hold on both
// backends: "unordered" when the two outputs have the same lines in
// another order, else "" (only=redis or only=miniredis, or a cell that
// prints the same on both).
func (d Divergence) Fence() string {
	if Equal(d.Miniredis, d.Redis, true) {
		return "unordered"
	}
	return ""
}

func (d Divergence) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d: cell %d prints differently on miniredis (-) and on redis (+)\n", d.Path, d.Cell.Line-1, d.Cell.Index)
	b.WriteString(Diff(d.Miniredis, d.Redis, false))
	if d.Fence() == "unordered" {
		b.WriteString("  the same lines in another order: mark its output ```output unordered\n")
	} else {
		b.WriteString("  make it print the same on both, or mark the cell ```go only=redis (or only=miniredis)\n")
	}
	return b.String()
}

// Between compares, cell by cell, a run of ch on miniredis with a run on a
// real server. Cells that did not run on both are skipped; a cell whose
// expected output is unordered may print its lines in any order.
func Between(ch *chapter.Chapter, miniredis, redis *notebook.Result) []Divergence {
	var out []Divergence
	for i, m := range miniredis.Cells {
		if i >= len(redis.Cells) {
			break
		}
		r := redis.Cells[i]
		if !m.Ran || !r.Ran {
			continue
		}
		unordered := m.Cell.Expected != nil && m.Cell.Expected.Unordered
		if !Equal(m.Output, r.Output, unordered) {
			out = append(out, Divergence{Path: ch.Path, Cell: m.Cell, Miniredis: normalize(m.Output), Redis: normalize(r.Output)})
		}
	}
	return out
}
