package picture

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"
)

func TestSize(t *testing.T) {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 7, 5)))
	good := buf.Bytes()
	for _, tt := range []struct {
		name, mediaType, data string
		w, h                  int
		err                   string // part of the error; "" for none
	}{
		{"png", PNG, string(good), 7, 5, ""},
		{"png cut short", PNG, string(good[:len(good)-20]), 0, 0, "not a PNG"},
		{"svg in pixels", SVG, `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="640px" height="400"><g><text>x</text></g></svg>`, 640, 400, ""},
		{"svg by its viewBox", SVG, `<svg viewBox="0 0 320.4 200"></svg>`, 320, 200, ""},
		{"svg in inches", SVG, `<svg width="6in" height="4in"></svg>`, 0, 0, "not in pixels"},
		{"svg without a size", SVG, `<svg></svg>`, 0, 0, "no width and height"},
		{"svg cut short", SVG, `<svg width="1" height="1"><g>`, 0, 0, "not an SVG"},
		{"html", SVG, `<html><svg width="1" height="1"/></html>`, 0, 0, "is a <html>"},
		{"text after it", SVG, `<svg width="1" height="1"/> trailing`, 0, 0, "outside"},
		{"nothing", SVG, ``, 0, 0, "no bytes"},
		{"a png said to be svg", SVG, string(good), 0, 0, "not an SVG"},
		{"gif", "image/gif", "GIF89a", 0, 0, "not one a cell may display"},
	} {
		w, h, err := Size(tt.mediaType, []byte(tt.data))
		if tt.err == "" && (err != nil || w != tt.w || h != tt.h) {
			t.Errorf("%s: %d×%d, %v; want %d×%d", tt.name, w, h, err, tt.w, tt.h)
		}
		if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.err)
		}
	}
}

func TestIsLine(t *testing.T) {
	for line, want := range map[string]bool{
		Line(SVG, 640, 400): true, Line(PNG, 1, 2): true,
		"image/png 640x400": false, "image/gif 1×1": false, " image/png 1×1": false,
		BadLine(PNG, errTest("x")): false,
	} {
		if IsLine(line) != want {
			t.Errorf("IsLine(%q) = %v, want %v", line, !want, want)
		}
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }
