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
