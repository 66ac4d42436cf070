package serve

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/redis-notebook/tutorial/runner/chapter"
	"github.com/redis-notebook/tutorial/runner/notebook"
)

// TestConsoleAfterEditedRun: after an edited run, the console reaches the
// database that run made, not a fresh one; the run waits until the next
// run, a check, Stop or Close, and then ends.
func TestConsoleAfterEditedRun(t *testing.T) {
	path := threeCellChapter(t)
	srv := New(t.TempDir())
	srv.ChaptersDir = filepath.Dir(path)
	runs := 0
	ended := make(chan int, 4)
	// A run as notebook's: each run has its own database, which its cells
	// fill; it asks step before each cell and stops when step says so,
	// its database gone with it.
	srv.RunEdited = func(ctx context.Context, ch *chapter.Chapter, ev notebook.Events, step func(*chapter.Cell) bool) error {
		runs++
		run := runs
		db := miniredis.NewMiniRedis()
		if err := db.Start(); err != nil {
			return err
		}
		defer func() { db.Close(); ended <- run }()
		ev.Console(notebook.Console{Network: "tcp", Addr: db.Addr()})
		for _, c := range ch.Cells() {
			if c.NoRun {
				continue
			}
			if !step(c) {
				return notebook.ErrStopped
			}
			ev.CellStart(c)
			db.Lpush("list", strings.TrimSpace(c.Code))
			ev.CellEnd(&notebook.CellResult{Cell: c, Ran: true})
		}
		return nil
	}
	console := func(body string) map[string]any {
		t.Helper()
		code, out := request(srv, "POST", "/_console", "application/json", body)
		var v map[string]any
		if json.Unmarshal([]byte(out), &v) != nil {
			v = map[string]any{"status": code, "text": out}
		}
		return v
	}
	if v := console(`{"line": "PING"}`); v["status"] != 409 {
		t.Errorf("the console before any edited run: %v, want 409", v)
	}

	code, body := request(srv, "POST", "/_run", "application/json", `{"chapter": "01-basics.md", "upTo": 2, "cells": {"2": "edited"}}`)
	if code != 200 || !strings.HasSuffix(strings.TrimSpace(body), `{"console":true,"kind":"done"}`) {
		t.Fatalf("the edited run: %d %s; want it done, with the console", code, body)
	}
	if v := console(`{"line": "LRANGE list 0 -1"}`); v["reply"] != "1) \"edited\"\n2) \"fmt.Println(1)\"" {
		t.Errorf("the console after the run: %v, want the run's list of cells 1 and 2", v)
	}
	for line, want := range map[string]string{`NOSUCH x`: `"NOSUCH" is not a Redis command`, `GET "x`: "unbalanced quotes"} {
		if v := console(`{"line": ` + strconvQuote(line) + `}`); !strings.Contains(v["error"].(string), want) {
			t.Errorf("%s in the console: %v, want an error saying %q", line, v, want)
		}
	}
	select {
	case n := <-ended:
		t.Fatalf("run %d ended while the console could still use it", n)
	default:
	}

	// The next run ends the first, and the console then shows the second's.
	code, body = request(srv, "POST", "/_run", "application/json", `{"chapter": "01-basics.md", "upTo": 3}`)
	if code != 200 || !strings.Contains(body, `"console":true`) {
		t.Fatalf("the second run: %d %s", code, body)
	}
	if n := waitEnded(t, ended); n != 1 {
		t.Errorf("run %d ended, want the first", n)
	}
	if v := console(`{"line": "LLEN list"}`); v["reply"] != "(integer) 3" {
		t.Errorf("the console after the second run: %v, want its 3 cells' list", v)
	}
	if v := console(`{"stop": true}`); v["stopped"] != true {
		t.Errorf("stop: %v", v)
	}
	if n := waitEnded(t, ended); n != 2 {
		t.Errorf("run %d ended at Stop, want the second", n)
	}
	if v := console(`{"line": "PING"}`); v["status"] != 409 {
		t.Errorf("the console after Stop: %v, want 409", v)
	}

	request(srv, "POST", "/_run", "application/json", `{"chapter": "01-basics.md", "upTo": 1}`)
	srv.Close()
	if n := waitEnded(t, ended); n != 3 {
		t.Errorf("run %d ended at Close, want the third", n)
	}
}

func waitEnded(t *testing.T, ended chan int) int {
	t.Helper()
	select {
	case n := <-ended:
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting run did not end")
		return 0
	}
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }
