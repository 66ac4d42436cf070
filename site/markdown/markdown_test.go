package markdown

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/redis-notebook/tutorial/runner/chapter"
)

var update = flag.Bool("update", false, "rewrite the expected HTML in testdata/cases.txtar")

func TestCases(t *testing.T) {
	const file = "testdata/cases.txtar"
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	conv := New()
	want := map[string]*txtar.File{}
	for i := range ar.Files {
		want[ar.Files[i].Name] = &ar.Files[i]
	}
	for _, f := range ar.Files {
		name, ok := strings.CutSuffix(f.Name, ".md")
		if !ok {
			continue
		}
		t.Run(name, func(t *testing.T) {
			opt := Options{AllowHTML: strings.Contains(name, "allow-html")}
			if strings.Contains(name, "cells") {
				ch, err := chapter.Parse(f.Name, f.Data)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range ch.Cells() {
					cell := &Cell{Index: c.Index, Code: c.Code, Start: c.Fence.Start, End: c.Fence.End, Ran: !c.NoRun}
					if cell.Ran {
						cell.Output = fmt.Sprintf("output of cell %d\n", c.Index)
					} else {
						cell.Note = "not run"
					}
					opt.Cells = append(opt.Cells, cell)
				}
			}
			doc, err := conv.Parse(f.Data, opt)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := conv.Render(&got, doc); err != nil {
				t.Fatal(err)
			}
			exp := want[name+".html"]
			if exp == nil {
				t.Fatalf("%s has no %s.html", file, name)
			}
			if *update {
				exp.Data = got.Bytes()
				return
			}
			if got.String() != string(exp.Data) {
				t.Errorf("%s.md renders as\n%s\nwant\n%s", name, got.String(), exp.Data)
			}
		})
	}
	if *update {
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestHeadings(t *testing.T) {
	doc, err := New().Parse([]byte("# Top\n\ntext\n\n## A `b` c\n\n## A `b` c\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range doc.Headings {
		got = append(got, fmt.Sprintf("%d %s %q line %d", h.Level, h.ID, h.Text, h.Line))
	}
	want := []string{`1 top "Top" line 1`, `2 a-b-c "A b c" line 5`, `2 a-b-c-1 "A b c" line 7`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("headings:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A heading may not take a cell's id.
func TestCellIDsAreReserved(t *testing.T) {
	src := []byte("## Cell 1\n\n```go\nx := 1\n```\n")
	ch, err := chapter.Parse("c.md", src)
	if err != nil {
		t.Fatal(err)
	}
	c := ch.Cells()[0]
	doc, err := New().Parse(src, Options{Cells: []*Cell{{Index: 1, Code: c.Code, Start: c.Fence.Start, End: c.Fence.End, Ran: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if id := doc.Headings[0].ID; id == "cell-1" {
		t.Errorf("the heading took the cell's id %q", id)
	}
}

// An error in a cell's output stands out: its lines, and the label.
func TestErrorOutput(t *testing.T) {
	src := []byte("```go\nrdb.Get(ctx, \"k\")\n```\n")
	conv := New()
	cell := &Cell{Index: 1, Code: "rdb.Get(ctx, \"k\")\n", Start: 0, End: len(src), Ran: true,
		Output: "first\nerror: redis: <nil>\nlast\n"}
	doc, err := conv.Parse(src, Options{Cells: []*Cell{cell}})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := conv.Render(&got, doc); err != nil {
		t.Fatal(err)
	}
	want := `<div class="cell-output cell-error"><div class="output-label">Output, with an error</div>` +
		`<pre class="output"><samp>first` + "\n" + `<span class="out-error">error: redis: &lt;nil&gt;</span>` + "\nlast\n</samp></pre></div>"
	if !strings.Contains(got.String(), want) {
		t.Errorf("the cell renders as\n%s\nwant it to contain\n%s", got.String(), want)
	}
	cell.Output = "terror: not an error line\n"
	got.Reset()
	if err := conv.Render(&got, doc); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got.String(), "cell-error") || strings.Contains(got.String(), "out-error") {
		t.Errorf("an output without an error line is marked as one:\n%s", got.String())
	}
}

// TestOutputControlCharacters: what a cell printed reaches the page with
// its control characters shown as text, as the walk shows them, also the
// expected output beside a differing one.
func TestOutputControlCharacters(t *testing.T) {
	src := []byte("```go\nfmt.Print(x)\n```\n")
	conv := New()
	cell := &Cell{Index: 1, Code: "fmt.Print(x)\n", Start: 0, End: len(src), Ran: true,
		Output: "\x1b[2J\x1b]52;c;eA==\x07\r✓ <b>passed</b>\n", Differs: true, Expected: "\x1b[1mold\n"}
	doc, err := conv.Parse(src, Options{Cells: []*Cell{cell}})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := conv.Render(&got, doc); err != nil {
		t.Fatal(err)
	}
	html := got.String()
	if strings.ContainsAny(html, "\x1b\x07\r") {
		t.Errorf("the page holds a raw control character:\n%q", html)
	}
	for _, want := range []string{`\x1b[2J\x1b]52;c;eA==\x07\r✓ &lt;b&gt;passed&lt;/b&gt;`, `\x1b[1mold`} {
		if !strings.Contains(html, want) {
			t.Errorf("the page does not show %s:\n%s", want, html)
		}
	}
}
