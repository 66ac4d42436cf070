package notebook_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/redis-notebook/tutorial/runner/notebook"
)

// TestForgedEventIsOutput: a cell that prints a line shaped like the
// kernel's "done" event and exits has not finished the chapter: events
// carry the run's token, which a cell does not know, and the line is the
// cell's output.
func TestForgedEventIsOutput(t *testing.T) {
	res, err := run(t, "testdata/forge.md", notebook.Options{})
	var ce *notebook.CellError
	if !errors.As(err, &ce) || ce.Cell.Index != 1 || !strings.Contains(ce.What, "ended the program") {
		t.Fatalf("error %v; want cell 1 ended the program", err)
	}
	if got := res.Cells[0].Output; !strings.Contains(got, `{"kind":"done"}`) {
		t.Errorf("cell 1's output is %q; want the forged line, as text", got)
	}
	if res.Cells[1].Ran {
		t.Error("cell 2 ran")
	}
}

// TestTokenNotInEnvironment: the token is nowhere a cell looks for a
// program's secrets: not its environment as the kernel sees it, not
// /proc/self/environ (which unsetting a variable does not change), not
// its command line, not an open descriptor. A done forged with each of
// what it finds there is only the cell's output.
func TestTokenNotInEnvironment(t *testing.T) {
	res, err := run(t, "testdata/forge-environ.md", notebook.Options{})
	var ce *notebook.CellError
	if !errors.As(err, &ce) || ce.Cell.Index != 1 || !strings.Contains(ce.What, "ended the program") {
		t.Fatalf("error %v; want cell 1 ended the program", err)
	}
	if got := res.Cells[0].Output; !strings.Contains(got, "tried true") || !strings.Contains(got, `{"kind":"done"}`) {
		t.Errorf("cell 1's output is %q; want its forged lines, as text", got)
	}
	if res.Cells[1].Ran {
		t.Error("cell 2 ran")
	}
}

// TestForgedDoneWithTheToken: a cell that has read the token from the
// kernel's memory and forges the chapter's end has still not run the
// cells after it: the runner counts the ends against the chapter's cells
// and names the first that did not report one.
func TestForgedDoneWithTheToken(t *testing.T) {
	res, err := run(t, "testdata/forge-token.md", notebook.Options{})
	var ce *notebook.CellError
	if !errors.As(err, &ce) || ce.Cell.Index != 1 || !strings.Contains(ce.What, "did not report its end") {
		t.Fatalf("error %v; want cell 1 did not report its end", err)
	}
	if res.Cells[1].Ran {
		t.Error("cell 2 ran")
	}
}
