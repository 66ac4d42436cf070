//go:build js && wasm

// Command gen generates an edited chapter's browser program in the
// reader's tab, with the runner's own generator (runner/program, Browser
// mode), so that an edit compiles to what the site built, cell for cell.
// site/assets/compile-worker.js runs it (as gen.wasm) before compile.wasm:
//
//	gen IN.json OUT.json
//
// IN is a genRequest; OUT a genResult.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/program"
)

type genRequest struct {
	Path      string            `json:"path"`     // the chapter's file name, for parse errors
	Source    string            `json:"source"`   // the chapter's Markdown, as the site built it
	LinePath  string            `json:"linePath"` // as site.CompileWasm names it in //line
	Cells     map[string]string `json:"cells"`    // cell index -> edited code
	NoDisplay []int             `json:"noDisplay"`
	DataFiles []string          `json:"dataFiles"`
}

type genResult struct {
	Source    string      `json:"source,omitempty"`
	Displays  map[int]int `json:"displays,omitempty"`  // cell -> line of its displayed expression
	CellLines map[int]int `json:"cellLines,omitempty"` // unedited cell -> its first line in the chapter
	// EditedLines: line L of edited cell N is N*EditedLines+L.
	EditedLines int    `json:"editedLines,omitempty"`
	Error       string `json:"error,omitempty"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gen IN.json OUT.json")
		os.Exit(2)
	}
	res := generate(os.Args[1])
	out, _ := json.Marshal(res)
	if err := os.WriteFile(os.Args[2], out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func generate(in string) genResult {
	data, err := os.ReadFile(in)
	if err != nil {
		return genResult{Error: err.Error()}
	}
	var req genRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return genResult{Error: "reading the request: " + err.Error()}
	}
	ch, err := chapter.Parse(req.Path, []byte(req.Source))
	if err != nil {
		return genResult{Error: err.Error()}
	}
	ch, err = ch.WithEdits(req.Cells)
	if err != nil {
		return genResult{Error: err.Error()}
	}
	res := genResult{CellLines: map[int]int{}, EditedLines: chapter.EditedLines}
	for _, c := range ch.Cells() {
		if _, edited := req.Cells[strconv.Itoa(c.Index)]; !edited {
			res.CellLines[c.Index] = c.Line
		}
	}
	noDisplay := map[int]bool{}
	for _, n := range req.NoDisplay {
		noDisplay[n] = true
	}
	prog, err := program.Generate(ch, program.Options{
		Mode: program.Browser, Backend: chapter.Miniredis, LinePath: req.LinePath, NoDisplay: noDisplay, DataFiles: req.DataFiles,
	})
	if err != nil {
		return genResult{Error: err.Error()}
	}
	res.Source, res.Displays = string(prog.Source), prog.Displays
	return res
}
