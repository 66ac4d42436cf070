package site

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPictures: a picture a cell displayed is shown in place of its line,
// as an <img> of a file in images/ (never inlined), with its alt text and
// size, from a fresh run and from the execution cache alike.
func TestPictures(t *testing.T) {
	root := course(t)
	f := &fakeRunner{}
	opt := options(root, f)
	for _, build := range []string{"run", "cached"} {
		mustBuild(t, opt)
		if build == "cached" && len(f.takeRuns()) != 0 {
			t.Fatal("the second build ran the chapters again")
		}
		f.takeRuns()
		page := readFile(t, filepath.Join(opt.Out, "02-lists.html"))
		cell := between(page, `<div class="cell" id="cell-5">`, `<div class="cell"`)
		img := regexp.MustCompile(`<img class="output-image" src="(images/[0-9a-f]{20}\.svg)" alt="the picture the cell was to draw" width="120" height="40" data-line="image/svg\+xml 120×40">`).FindStringSubmatch(cell)
		if img == nil {
			t.Fatalf("%s build: cell 5 shows no <img> of its picture:\n%s", build, cell)
		}
		if strings.Contains(strings.ReplaceAll(cell, `data-line="image/svg+xml 120×40"`, ""), "image/svg+xml 120×40") {
			t.Errorf("%s build: the picture's line is shown as text too:\n%s", build, cell)
		}
		if strings.Contains(cell, "<svg") && !strings.Contains(cell, "&lt;svg") {
			t.Errorf("%s build: the SVG is inlined in the page", build)
		}
		data, err := os.ReadFile(filepath.Join(opt.Out, img[1]))
		if err != nil || !strings.HasPrefix(string(data), "<svg") || !strings.Contains(string(data), `width="120"`) {
			t.Errorf("%s build: %s: %.60q, %v", build, img[1], data, err)
		}
		if !strings.Contains(cell, "<samp>three bars\n</samp></pre><img") {
			t.Errorf("%s build: the text before the picture is not shown before it:\n%s", build, cell)
		}
	}
}
