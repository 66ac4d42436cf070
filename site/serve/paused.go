package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/kernel/console"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/redisproxy"
)

// An edited run does not end after the cell it was asked to run up to: its
// program waits there, as walk --step waits at a pause, so that the page's
// console can look at the database that run made (POST /_console). It ends
// at the next edited run or check, when the page restarts, after
// pausedIdle without a command, or when serve stops. On a real server
// its keys are deleted then, as after any run.
const pausedIdle = 10 * time.Minute

// A pausedRun is an edited run waiting after its last cell.
type pausedRun struct {
	release chan struct{} // closed: the program ends
	ended   chan struct{} // closed once it has
	once    sync.Once

	mu     sync.Mutex
	where  notebook.Console
	conn   *console.Conn
	expiry *time.Timer
}

// end lets the program go and waits until it has.
func (p *pausedRun) end() {
	p.once.Do(func() { close(p.release) })
	<-p.ended
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn != nil {
		p.conn.Close()
		p.conn = nil
	}
	if p.expiry != nil {
		p.expiry.Stop()
	}
}

// do runs one console command in the paused run's database, through the
// guard on a real server, and returns the reply as redis-cli shows it.
func (p *pausedRun) do(args []string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.expiry != nil {
		p.expiry.Reset(pausedIdle)
	}
	if p.conn == nil {
		if p.where.Addr == "" {
			return "", errors.New("the run did not say where its database is")
		}
		nc, err := net.DialTimeout(p.where.Network, p.where.Addr, 2*time.Second)
		if err != nil {
			return "", err
		}
		c := console.New(nc)
		if p.where.DB != 0 {
			if _, err := c.Do([]string{"SELECT", strconv.Itoa(p.where.DB)}); err != nil {
				c.Close()
				return "", err
			}
		}
		p.conn = c
	}
	reply, err := p.conn.Do(args)
	if err != nil {
		p.conn.Close()
		p.conn = nil
	}
	return reply, err
}

// endPaused ends the paused edited run, if there is one.
func (s *Server) endPaused() {
	s.mu.Lock()
	p := s.paused
	s.paused = nil
	s.mu.Unlock()
	if p != nil {
		p.end()
	}
}

// Close ends what the server still runs: the paused edited run, whose
// keys on a real server are deleted as it ends.
func (s *Server) Close() { s.endPaused() }

// withPause appends to an edited chapter the cell its run waits at: an
// empty one after every other, so that the run waits after the cell it was
// asked for even when that is the chapter's last.
func withPause(ch *chapter.Chapter) (*chapter.Chapter, int) {
	n := len(ch.Cells()) + 1
	out := *ch
	out.Blocks = append(append([]chapter.Block(nil), ch.Blocks...), chapter.Block{
		Cell: &chapter.Cell{Index: n, Code: "", Line: n*chapter.EditedLines + 1},
	})
	return &out, n
}

// consoleCommand answers POST /_console: {"line": "LLEN k"} runs a command
// in the paused edited run's database, answering {"reply": "(integer) 7"}
// or {"error": "..."}; {"stop": true} ends the paused run.
func (s *Server) consoleCommand(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Line string `json:"line"`
		Stop bool   `json:"stop"`
	}
	if !decodePost(w, r, &req) {
		return
	}
	if req.Stop {
		s.endPaused()
		writeJSON(w, map[string]any{"stopped": true})
		return
	}
	s.mu.Lock()
	p := s.paused
	s.mu.Unlock()
	if p == nil {
		http.Error(w, "no edited run is waiting for the console: run a cell first", http.StatusConflict)
		return
	}
	args, err := console.Split(req.Line)
	if err == nil && len(args) == 0 {
		err = errors.New("an empty command")
	}
	if err == nil && redisproxy.Lookup([][]byte{[]byte(args[0])}) == nil {
		err = fmt.Errorf("%q is not a Redis command", args[0])
	}
	if err != nil {
		writeJSON(w, map[string]any{"error": err.Error()})
		return
	}
	reply, err := p.do(args)
	if err != nil {
		writeJSON(w, map[string]any{"error": "cannot reach the run's database: " + err.Error()})
		return
	}
	writeJSON(w, map[string]any{"reply": reply})
}

// startPaused prepares the pause of an edited run: the Step function that
// lets every cell run and holds the program at the pause cell, and the
// run it becomes once it waits there (reached is closed then).
func startPaused(ctx context.Context, pauseCell int) (p *pausedRun, step func(*chapter.Cell) bool, reached chan struct{}) {
	p = &pausedRun{release: make(chan struct{}), ended: make(chan struct{})}
	reached = make(chan struct{})
	step = func(c *chapter.Cell) bool {
		if c.Index != pauseCell {
			return true
		}
		close(reached)
		select {
		case <-p.release:
		case <-ctx.Done():
		}
		return false
	}
	return p, step, reached
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(v)
}
