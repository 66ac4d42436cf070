package compare

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/redis-notebook/tutorial/runner/notebook"
)

func pngOf(w, h int) []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h)))
	return buf.Bytes()
}

// TestPicturesComparedLoosely: a picture matches its fence by kind and
// size whatever its bytes; none, garbage, another size, or a printed line
// that reads as one each fail with the chapter's file, the fence's line
// and what is wrong in words.
func TestPicturesComparedLoosely(t *testing.T) {
	ch := parse(t, "# T\n\n```go\ndraw()\n```\n\n```output\nplotted\nimage/png 4×3\n```\n")
	for _, tt := range []struct {
		name    string
		printed string
		images  [][]byte
		want    string // part of the mismatch; "" for none
	}{
		{"same size", "plotted\n", [][]byte{pngOf(4, 3)}, ""},
		{"same size, other bytes", "plotted\n", [][]byte{append(pngOf(4, 3)[:0:0], pngOf(4, 3)...)}, ""},
		{"none", "plotted\n", nil, "was to display a picture (image/png 4×3) and displayed none"},
		{"garbage", "plotted\n", [][]byte{[]byte("garbage")}, "displayed an image/png that does not decode: not a PNG"},
		{"another size", "plotted\n", [][]byte{pngOf(5, 3)}, "picture 1 is image/png 5×3, and was to be image/png 4×3"},
		{"two", "plotted\n", [][]byte{pngOf(4, 3), pngOf(4, 3)}, "displayed 2 pictures, and was to display 1"},
		{"printed", "plotted\nimage/png 4×3\n", nil, `printed "image/png 4×3", which reads as a picture, but displayed none`},
	} {
		res := result(ch, tt.printed)
		for _, data := range tt.images {
			res.Cells[0].AddImage(notebook.NewImage("image/png", data, "a plot"))
		}
		ms := Check(ch, res)
		if tt.want == "" {
			if len(ms) != 0 {
				t.Errorf("%s: mismatch %s", tt.name, ms[0])
			}
			continue
		}
		if len(ms) != 1 {
			t.Errorf("%s: %d mismatches, want 1", tt.name, len(ms))
			continue
		}
		if s := ms[0].String(); !strings.HasPrefix(s, "ch.md:7: cell 1") || !strings.Contains(s, tt.want) {
			t.Errorf("%s: mismatch\n%s\nwant ch.md:7 and %q", tt.name, s, tt.want)
		}
	}
}

// TestUpdateRecordsPictures: test -update writes a picture's line, kind
// and size, never its bytes.
func TestUpdateRecordsPictures(t *testing.T) {
	ch := parse(t, "# T\n\n```go\ndraw()\n```\n")
	res := result(ch, "")
	res.Cells[0].Ran = true
	res.Cells[0].AddImage(notebook.NewImage("image/png", pngOf(4, 3), "a plot"))
	if got, want := string(Update(ch, res)), "# T\n\n```go\ndraw()\n```\n\n```output\nimage/png 4×3\n```\n"; got != want {
		t.Errorf("updated:\n%s\nwant:\n%s", got, want)
	}
}
