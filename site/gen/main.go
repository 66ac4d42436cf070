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
	"strings"

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
	Error     string      `json:"error,omitempty"`
}

// editedLines is where the positions of edited cells start: cell N's line
// L is N*editedLines+L, past any chapter's end, so that a message about it
// names the cell (as site/serve does for /_run).
const editedLines = 1_000_000

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
	res := genResult{CellLines: map[int]int{}}
	known := map[int]bool{}
	for i, b := range ch.Blocks {
		if b.Cell == nil {
			continue
		}
		c := *b.Cell
		known[c.Index] = true
		if code, ok := req.Cells[strconv.Itoa(c.Index)]; ok {
			if !strings.HasSuffix(code, "\n") {
				code += "\n"
			}
			c.Code = code
			c.Line = c.Index*editedLines + 1
		} else {
			res.CellLines[c.Index] = c.Line
		}
		ch.Blocks[i].Cell = &c
	}
	for k := range req.Cells {
		if n, err := strconv.Atoi(k); err != nil || !known[n] {
			return genResult{Error: fmt.Sprintf("%s has no cell %q", req.Path, k)}
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
