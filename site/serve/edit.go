package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/redis-notebook/tutorial/runner/build"
	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
)

// A RunEditedFunc runs a chapter (with the page's edits in its cells)
// natively, as notebook.Run does, telling ev as it goes, and asking step
// before each cell as notebook.Options.Step does: step holds the program
// at the end of the run for the page's console (see paused.go).
type RunEditedFunc func(ctx context.Context, ch *chapter.Chapter, ev notebook.Events, step func(*chapter.Cell) bool) error

// editRequest is what a page under serve posts to /_run: its chapter's
// file name, the cell to run up to, and the cells it edited (index ->
// code).
type editRequest struct {
	Chapter string            `json:"chapter"`
	UpTo    int               `json:"upTo"`
	Cells   map[string]string `json:"cells"`
}

// maxEditRequest bounds a request's body: a chapter's worth of code.
const maxEditRequest = 1 << 20

// decodePost reads a request that runs code, a POST with a JSON body of at
// most maxEditRequest bytes, into v; otherwise it answers with the error
// and returns false. A JSON body cannot come from a plain cross-site form,
// and TokenCheck has refused other origins already.
func decodePost(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return false
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		http.Error(w, "the body must be application/json", http.StatusUnsupportedMediaType)
		return false
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxEditRequest)).Decode(v); err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

// runEdited answers POST /_run: it runs the chapter up to the cell, with
// the edits, and streams one JSON object per line: {"kind": "begin" |
// "output" | "end" | "error" | "done", "cell", "text", "ms", "message"}.
// The edits live only in memory: the chapter file is never written.
func (s *Server) runEdited(w http.ResponseWriter, r *http.Request) {
	if s.RunEdited == nil || s.ChaptersDir == "" {
		http.Error(w, "this server does not run edited cells", http.StatusNotFound)
		return
	}
	var req editRequest
	if !decodePost(w, r, &req) {
		return
	}
	ch, err := s.editedChapter(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	var mu sync.Mutex // the run's events come from its reader goroutine
	send := func(v map[string]any) {
		mu.Lock()
		defer mu.Unlock()
		b, _ := json.Marshal(v)
		w.Write(append(b, '\n'))
		if flusher != nil {
			flusher.Flush()
		}
	}
	// The previous edited run, waiting for the console, ends first: on a
	// real server its keys would stop this one from starting.
	s.endPaused()
	s.running.Lock() // one run or check at a time
	defer s.running.Unlock()
	ch, pauseCell := withPause(ch)
	// The run outlives this request while it waits for the console: its
	// context is its own, cancelled if the page goes before the pause.
	runCtx, cancelRun := context.WithCancel(context.Background())
	p, step, reached := startPaused(runCtx, pauseCell)
	finished := make(chan error, 1)
	go func() {
		defer close(p.ended)
		defer cancelRun()
		finished <- s.RunEdited(runCtx, ch, notebook.Events{
			CellStart: func(c *chapter.Cell) { send(map[string]any{"kind": "begin", "cell": c.Index}) },
			Output: func(c *chapter.Cell, b []byte) {
				send(map[string]any{"kind": "output", "cell": c.Index, "text": string(b)})
			},
			Image: func(c *chapter.Cell, img *notebook.Image) { // its bytes in base64, as JSON writes them
				send(map[string]any{"kind": "image", "cell": c.Index, "media": img.Type, "data": img.Data, "alt": img.Alt})
			},
			CellEnd: func(cr *notebook.CellResult) {
				send(map[string]any{"kind": "end", "cell": cr.Cell.Index, "ms": float64(cr.Elapsed.Microseconds()) / 1000})
			},
			Console: func(c notebook.Console) {
				p.mu.Lock()
				p.where = c
				p.mu.Unlock()
			},
		}, step)
	}()
	select {
	case <-reached:
		p.mu.Lock()
		p.expiry = time.AfterFunc(pausedIdle, func() {
			s.mu.Lock()
			if s.paused == p {
				s.paused = nil
			}
			s.mu.Unlock()
			p.end()
		})
		p.mu.Unlock()
		s.mu.Lock()
		s.paused = p
		s.mu.Unlock()
		// The console now reaches this run's database.
		send(map[string]any{"kind": "done", "console": true})
		return
	case <-r.Context().Done():
		cancelRun()
		<-p.ended
		return
	case err = <-finished:
	}
	if err != nil {
		msg := map[string]any{"kind": "error", "message": err.Error()}
		var cellErr *notebook.CellError
		if errors.As(err, &cellErr) {
			// Named by its place in the edited cell, not by the range
			// edited cells' positions are moved to.
			if _, line, ok := chapter.EditedPlace(cellErr.Line); ok {
				text := fmt.Sprintf("cell %d %s (line %d of the edited cell)", cellErr.Cell.Index, cellErr.What, line)
				if cellErr.Msg != "" {
					text += ": " + cellErr.Msg
				}
				msg["message"] = text
			}
		}
		if at := cellErrors(ch, err); len(at) > 0 {
			msg["cells"] = at
		}
		send(msg)
		return
	}
	send(map[string]any{"kind": "done"})
}

// A cellError is a message about a cell's code, its line counted in the
// cell (1 is its first), as the page shows the cell.
type cellError struct {
	Cell int    `json:"cell"`
	Line int    `json:"line"`
	Col  int    `json:"col,omitempty"`
	Msg  string `json:"msg"`
}

// cellErrors places the messages of a chapter that does not compile at
// the cells they are about. notebook names the positions in the chapter by
// ch.Path itself (it has resolved the go command's names already).
func cellErrors(ch *chapter.Chapter, err error) []cellError {
	type pos struct {
		line, col int
		msg       string
	}
	var at []pos
	var ce *build.CompileError
	var pe *chapter.Error
	switch {
	case errors.As(err, &ce):
		for _, d := range ce.Diags {
			if d.File == ch.Path {
				at = append(at, pos{d.Line, d.Col, d.Msg})
			}
		}
	case errors.As(err, &pe) && pe.Path == ch.Path:
		at = append(at, pos{pe.Line, pe.Col, pe.Msg})
	}
	var out []cellError
	for _, p := range at {
		if cell, line, ok := chapter.EditedPlace(p.line); ok {
			out = append(out, cellError{Cell: cell, Line: line, Col: p.col, Msg: p.msg})
			continue
		}
		var in *chapter.Cell // the unedited cell that starts last before the line
		for _, c := range ch.Cells() {
			if c.Line <= p.line && c.Line < chapter.EditedLines && (in == nil || c.Line > in.Line) {
				in = c
			}
		}
		if in != nil {
			out = append(out, cellError{Cell: in.Index, Line: p.line - in.Line + 1, Col: p.col, Msg: p.msg})
		}
	}
	return out
}

// editedChapter loads the named chapter afresh and applies the edits to a
// copy of its cells; cells after UpTo do not run.
func (s *Server) editedChapter(req editRequest) (*chapter.Chapter, error) {
	name := req.Chapter
	if name == "" || name != filepath.Base(name) || !strings.HasSuffix(name, ".md") || strings.HasPrefix(name, ".") {
		return nil, fmt.Errorf("bad chapter name %q", name)
	}
	path := filepath.Join(s.ChaptersDir, name)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no chapter %q", name)
	}
	ch, err := chapter.Load(path)
	if err != nil {
		return nil, err
	}
	edited, err := ch.WithEdits(req.Cells)
	if err != nil {
		return nil, err
	}
	known := false
	for _, c := range edited.Cells() {
		known = known || c.Index == req.UpTo
		if c.Index > req.UpTo {
			c.NoRun = true
		}
	}
	if !known {
		return nil, fmt.Errorf("%s has no cell %d", name, req.UpTo)
	}
	return edited, nil
}
