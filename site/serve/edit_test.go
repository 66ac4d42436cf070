package serve

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
)

// threeCells is a chapter of three cells.
const threeCells = "# Three cells\n\n```go\nfmt.Println(1)\n```\n\n```go\nfmt.Println(2)\n```\n\n```go\nfmt.Println(3)\n```\n"

// TestRunEdited: /_run applies the page's edits to a copy of the chapter,
// runs it up to the cell, streams the events, and refuses bad requests;
// the chapter's file is never written.
func TestRunEdited(t *testing.T) {
	path := threeCellChapter(t)
	before := readFile(t, path)
	orig, err := chapter.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cells := orig.Cells()
	if len(cells) < 3 {
		t.Fatalf("the test course's chapter has %d cells, want 3 or more", len(cells))
	}
	var got *chapter.Chapter
	srv := New(t.TempDir())
	srv.ChaptersDir = filepath.Dir(path)
	srv.RunEdited = func(ctx context.Context, ch *chapter.Chapter, ev notebook.Events, step func(*chapter.Cell) bool) error {
		got = ch
		c := ch.Cells()[0]
		ev.CellStart(c)
		ev.Output(c, []byte("printed\n"))
		ev.CellEnd(&notebook.CellResult{Cell: c, Ran: true, Output: "printed\n"})
		return nil
	}
	post := func(body, contentType string) (int, string) {
		return request(srv, "POST", "/_run", contentType, body)
	}

	code, body := post(`{"chapter": "01-basics.md", "upTo": 2, "cells": {"2": "fmt.Println(\"edited\")"}}`, "application/json")
	if code != 200 {
		t.Fatalf("a good request: %d %s", code, body)
	}
	var kinds []string
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		kinds = append(kinds, ev["kind"].(string))
	}
	if strings.Join(kinds, " ") != "begin output end done" {
		t.Errorf("events %v, want begin output end done:\n%s", kinds, body)
	}
	if got == nil {
		t.Fatal("the chapter did not run")
	}
	gc := got.Cells()
	// After the chapter's cells, the empty one the run waits at.
	if len(gc) != len(cells)+1 || gc[len(gc)-1].Code != "" || gc[len(gc)-1].NoRun {
		t.Fatalf("the run's chapter has %d cells, want the chapter's %d and an empty one to pause at", len(gc), len(cells))
	}
	gc = gc[:len(cells)]
	if gc[1].Code != "fmt.Println(\"edited\")\n" || gc[0].Code != cells[0].Code {
		t.Errorf("the edit was not applied to cell 2 alone: %q, %q", gc[0].Code, gc[1].Code)
	}
	for _, c := range gc[2:] {
		if !c.NoRun {
			t.Errorf("cell %d, after the cell run up to, would run", c.Index)
		}
	}
	if cells[1].Code == gc[1].Code || cells[2].NoRun {
		t.Error("the edit changed the loaded chapter's own cells")
	}
	if readFile(t, path) != before {
		t.Error("the chapter's file was written")
	}

	for what, req := range map[string][2]string{
		"a path outside chapters": {`{"chapter": "../README.md", "upTo": 1}`, "application/json"},
		"an unknown chapter":      {`{"chapter": "99-none.md", "upTo": 1}`, "application/json"},
		"an unknown cell":         {`{"chapter": "01-basics.md", "upTo": 1, "cells": {"999": "x"}}`, "application/json"},
		"running up to no cell":   {`{"chapter": "01-basics.md", "upTo": 999}`, "application/json"},
		"a form post":             {`chapter=01-basics.md`, "application/x-www-form-urlencoded"},
		"a body that is not JSON": {`{`, "application/json"},
	} {
		got = nil
		if code, body := post(req[0], req[1]); code < 400 || got != nil {
			t.Errorf("%s: %d %q, and ran=%t; want refused", what, code, body, got != nil)
		}
	}
	if code, _ := request(srv, "GET", "/_run", "", ""); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /_run: %d, want 405", code)
	}
}

// TestCompileErrorsAtCells: a chapter that does not compile after an edit
// gets its messages at the cells they are about, in the cells' own lines:
// an edited cell's fifteenth line is line 15, whatever its length beside the
// cells around it in the file; a cell left as it was counts from its
// first line in the file.
func TestCompileErrorsAtCells(t *testing.T) {
	srv := failingRun(t, func(ch *chapter.Chapter) error {
		// What notebook reports: positions the program's //line
		// directives give, the chapter named by ch.Path.
		c := ch.Cells()
		return &build.CompileError{Diags: []build.Diagnostic{
			{File: ch.Path, Line: c[0].Line + 14, Col: 5, Msg: "undefined: x"},
			{File: ch.Path, Line: c[2].Line, Col: 13, Msg: "undefined: y"},
			{File: "elsewhere.go", Line: 7, Msg: "not the chapter's"},
		}}
	})
	// Cell 1 grows to twenty lines, past where cell 2 starts in the file.
	edit := strings.Repeat(`fmt.Println(\"long\")\n`, 20)
	code, body := request(srv, "POST", "/_run", "application/json",
		`{"chapter": "01-basics.md", "upTo": 3, "cells": {"1": "`+edit+`"}}`)
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var ev struct {
		Kind  string      `json:"kind"`
		Cells []cellError `json:"cells"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(body)), &ev); err != nil {
		t.Fatalf("not one JSON line: %q", body)
	}
	want := []cellError{{Cell: 1, Line: 15, Col: 5, Msg: "undefined: x"}, {Cell: 3, Line: 1, Col: 13, Msg: "undefined: y"}}
	if ev.Kind != "error" || !slices.Equal(ev.Cells, want) {
		t.Errorf("got %s %+v, want error %+v", ev.Kind, ev.Cells, want)
	}
}

// TestEditedCellPanics: a failure in an edited cell is named by the cell
// and its line in the edited code, not by the far range edited cells'
// positions are moved to.
func TestEditedCellPanics(t *testing.T) {
	srv := failingRun(t, func(ch *chapter.Chapter) error {
		c := ch.Cells()[1]
		return &notebook.CellError{Path: ch.Path, Cell: c, Line: c.Line + 1, What: "panicked", Msg: "boom"}
	})
	_, body := request(srv, "POST", "/_run", "application/json",
		`{"chapter": "01-basics.md", "upTo": 2, "cells": {"2": "x := 1\npanic(\"boom\")"}}`)
	var ev struct{ Kind, Message string }
	json.Unmarshal([]byte(strings.TrimSpace(body)), &ev)
	if want := "cell 2 panicked (line 2 of the edited cell): boom"; ev.Kind != "error" || ev.Message != want {
		t.Errorf("got %s %q, want error %q", ev.Kind, ev.Message, want)
	}
}

// threeCellChapter writes the three-cell chapter into chapters/ of a new
// folder and returns its path.
func threeCellChapter(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chapters", "01-basics.md")
	if err := os.Mkdir(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(threeCells), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// failingRun is a server of the three-cell chapter whose runs of edited
// chapters fail as fail says, given the edited chapter.
func failingRun(t *testing.T, fail func(ch *chapter.Chapter) error) *Server {
	t.Helper()
	path := threeCellChapter(t)
	srv := New(t.TempDir())
	srv.ChaptersDir = filepath.Dir(path)
	srv.RunEdited = func(ctx context.Context, ch *chapter.Chapter, ev notebook.Events, step func(*chapter.Cell) bool) error {
		return fail(ch)
	}
	return srv
}
