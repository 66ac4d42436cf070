// Package picture reads what a cell displayed with kernel.Image: whether
// the bytes decode as their media type, and the picture's size. It is how
// the runner compares pictures loosely (kind and size, never bytes), and
// writes the line that stands for one in a cell's output. Standard library
// only: the runner links no image library.
package picture

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Media types a cell may display.
const (
	SVG = "image/svg+xml"
	PNG = "image/png"
)

// Ext is the file extension for a media type, or "" for one a cell may
// not display.
func Ext(mediaType string) string {
	switch mediaType {
	case SVG:
		return ".svg"
	case PNG:
		return ".png"
	}
	return ""
}

// Size decodes data as mediaType and returns its width and height (for
// SVG, in user units: its width and height attributes, else its viewBox).
// The error says why it does not decode.
func Size(mediaType string, data []byte) (width, height int, err error) {
	if len(data) == 0 {
		return 0, 0, errors.New("no bytes")
	}
	switch mediaType {
	case PNG:
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			return 0, 0, fmt.Errorf("not a PNG: %v", err)
		}
		b := img.Bounds()
		return b.Dx(), b.Dy(), nil
	case SVG:
		return svgSize(data)
	}
	return 0, 0, fmt.Errorf("media type %q is not one a cell may display (%s or %s)", mediaType, SVG, PNG)
}

// svgSize reads the whole document, so that a truncated or malformed one
// fails, and takes its size from the root <svg> element.
func svgSize(data []byte) (int, int, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var root *xml.StartElement
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, 0, fmt.Errorf("not an SVG: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root == nil {
				if t.Name.Local != "svg" {
					return 0, 0, fmt.Errorf("not an SVG: the document is a <%s>, not an <svg>", t.Name.Local)
				}
				r := t.Copy()
				root = &r
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return 0, 0, errors.New("not an SVG: text outside the <svg> element")
			}
		}
	}
	if root == nil {
		return 0, 0, errors.New("not an SVG: no <svg> element")
	}
	if depth != 0 {
		return 0, 0, errors.New("not an SVG: the document ends inside an element")
	}
	var w, h, viewBox string
	for _, a := range root.Attr {
		switch a.Name.Local {
		case "width":
			w = a.Value
		case "height":
			h = a.Value
		case "viewBox":
			viewBox = a.Value
		}
	}
	if w != "" && h != "" {
		wn, errW := length(w)
		hn, errH := length(h)
		if errW != nil || errH != nil {
			return 0, 0, fmt.Errorf("the <svg> element's size %q×%q is not in pixels", w, h)
		}
		return wn, hn, nil
	}
	if f := strings.FieldsFunc(viewBox, func(r rune) bool { return r == ',' || r == ' ' }); len(f) == 4 {
		wn, errW := length(f[2])
		hn, errH := length(f[3])
		if errW == nil && errH == nil {
			return wn, hn, nil
		}
	}
	return 0, 0, errors.New("the <svg> element has no width and height, nor a viewBox")
}

// length reads an SVG length in pixels ("640", "640px", "12.5"), rounded.
func length(s string) (int, error) {
	f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "px"), 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("bad length %q", s)
	}
	return int(f + 0.5), nil
}

// Line is how a picture stands in a cell's output, and in its expected
// output: "image/svg+xml 640×400".
func Line(mediaType string, width, height int) string {
	return fmt.Sprintf("%s %d×%d", mediaType, width, height)
}

// BadLine is what stands in a cell's output for bytes that do not decode.
func BadLine(mediaType string, err error) string {
	return fmt.Sprintf("%s that does not decode: %v", mediaType, err)
}

// lineRE matches a line that says a picture is there (Line's form).
var lineRE = regexp.MustCompile(`^image/(?:svg\+xml|png) \d+×\d+$`)

// IsLine reports whether a line of output reads as a picture.
func IsLine(line string) bool { return lineRE.MatchString(line) }
