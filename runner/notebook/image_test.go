package notebook_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
)

// TestImages: a picture a cell displays reaches the runner as an event,
// decoded, and stands in the cell's output as its kind and size, in its
// place among the text; garbage stands as what does not decode; a line a
// cell prints that reads as a picture is found out; another media type is
// the cell's panic, at its line.
func TestImages(t *testing.T) {
	var heard []string
	res, err := run(t, "testdata/images.md", notebook.Options{Events: notebook.Events{
		Image: func(c *chapter.Cell, img *notebook.Image) { heard = append(heard, img.Alt) },
	}})
	var ce *notebook.CellError
	if !errors.As(err, &ce) || ce.Cell.Index != 5 || ce.Line != 25 || !strings.Contains(ce.Msg, `"image/gif"`) {
		t.Fatalf("error %v, want cell 5 at line 25 panicking about image/gif", err)
	}
	want := []string{
		"before, no newline\nimage/svg+xml 64×40\nafter\n",
		"image/png 3×2\n",
		"image/png that does not decode: not a PNG: png: invalid format: not a PNG file\n",
		"image/png 3×2\n",
	}
	for i, w := range want {
		if got := res.Cells[i].Output; got != w {
			t.Errorf("cell %d output %q, want %q", i+1, got, w)
		}
	}
	first := res.Cells[0].Images
	if len(first) != 1 || first[0].Alt != "a square" || !strings.HasPrefix(string(first[0].Data), "<svg") || first[0].Width != 64 {
		t.Errorf("cell 1 images %+v", first)
	}
	if strings.Join(heard, ",") != "a square,a grey dot,garbage" {
		t.Errorf("Events.Image heard %v", heard)
	}
	for i, forged := range []bool{false, false, false, true} {
		if line, ok := res.Cells[i].PrintedPictureLine(); ok != forged {
			t.Errorf("cell %d: printed picture line %q, %v; want %v", i+1, line, ok, forged)
		}
	}
}
