package compare

import (
	"slices"
	"strings"

	"github.com/redis-notebook/tutorial/runner/term"
)

// Diff shows how got differs from expected, line by line: "-" for an
// expected line that is missing, "+" for a line that should not be there.
// Unordered outputs are sorted first, so only real differences show.
func Diff(expected, got string, unordered bool) string {
	a, b := splitLines(normalize(expected)), splitLines(normalize(got))
	if unordered {
		slices.Sort(a)
		slices.Sort(b)
	}
	var out strings.Builder
	for _, op := range diffLines(a, b) {
		out.WriteString(term.Visible(op) + "\n") // a cell's escape sequence, shown
	}
	return out.String()
}

// diffLines is the classic longest-common-subsequence diff; outputs are
// small enough for its quadratic table.
func diffLines(a, b []string) []string {
	const context = 2
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		kind byte // ' ', '-', '+'
		text string
	}
	var ops []op
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, op{' ', a[i]})
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{'-', a[i]})
			i++
		default:
			ops = append(ops, op{'+', b[j]})
			j++
		}
	}
	// Keep changed lines and a little context around them.
	keep := make([]bool, len(ops))
	for k, o := range ops {
		if o.kind != ' ' {
			for c := max(0, k-context); c <= min(len(ops)-1, k+context); c++ {
				keep[c] = true
			}
		}
	}
	var lines []string
	skipped := false
	for k, o := range ops {
		if !keep[k] {
			skipped = true
			continue
		}
		if skipped {
			lines = append(lines, "  ...")
			skipped = false
		}
		lines = append(lines, string(o.kind)+" "+o.text)
	}
	return lines
}
