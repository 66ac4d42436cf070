//go:build js && wasm

package kernel

import (
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"
	"syscall/js"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/embedded"
	"github.com/redis-notebook/tutorial/runner/kernel/console"
)

// A BrowserSession is one run of a chapter program built for the browser
// (GOOS=js), inside the Web Worker that site/assets/worker.js sets up. It
// talks to that script through globalThis.notebook:
//
//   - the script calls notebook.request({run: N}) to let the cells up to
//     cell N run, and notebook.request({command: "LLEN key"}) for the Redis
//     console;
//   - the program calls notebook.event({kind, cell, ...}): "ready",
//     "begin", "end" (with ms), "panic" (with message and stack), "done",
//     and "reply" (with the console's text).
//
// Each cell waits until it is asked for, so the chapter runs a piece at a
// time and the console sees the database between cells. Output goes to
// os.Stdout, which the worker's fs shim forwards to the page.
type BrowserSession struct {
	Client *redis.Client

	mr       *embedded.Server
	console  *console.Conn
	requests chan js.Value
	runUpTo  int
	cell     int
	started  time.Time
}

// StartBrowser starts miniredis in memory (no listener: a browser has no
// sockets), hands files (the chapter folder's data files, embedded in the
// program) to the worker's file system, and says it is ready.
func StartBrowser(files fs.FS) *BrowserSession {
	nb := js.Global().Get("notebook")
	if err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(files, path)
		if err != nil {
			return err
		}
		arr := js.Global().Get("Uint8Array").New(len(data))
		js.CopyBytesToJS(arr, data)
		nb.Call("addFile", "/"+path, arr)
		return nil
	}); err != nil {
		fmt.Fprintln(os.Stderr, "reading the embedded files:", err)
	}

	// The embedded server keeps Redis's time and paging, as in a walk, so
	// that a cell's live output matches the recorded one.
	srv, err := embedded.New()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	s := &BrowserSession{mr: srv, requests: make(chan js.Value, 1024)}
	s.Client = redis.NewClient(srv.ClientOptions())
	nb.Set("request", js.FuncOf(func(this js.Value, args []js.Value) any {
		// Never block here: the JavaScript event loop waits for this call.
		select {
		case s.requests <- args[0]:
		default:
			s.event("reply", map[string]any{"text": "(error) too many requests queued"})
		}
		return nil
	}))
	s.event("ready", nil)
	running = s
	return s
}

// Cell marks the start of cell n, once the page has asked for it; until
// then it answers the console.
func (s *BrowserSession) Cell(n int) {
	s.endCell()
	for s.runUpTo < n {
		s.serve(<-s.requests)
	}
	s.cell, s.started = n, time.Now()
	s.event("begin", map[string]any{"cell": n})
}

func (s *BrowserSession) endCell() {
	if s.cell == 0 {
		return
	}
	ms := float64(time.Since(s.started).Microseconds()) / 1000
	s.event("end", map[string]any{"cell": s.cell, "ms": ms})
	s.cell = 0
}

// serve handles one request from the page.
func (s *BrowserSession) serve(req js.Value) {
	if v := req.Get("run"); v.Type() == js.TypeNumber {
		s.runUpTo = max(s.runUpTo, v.Int())
		return
	}
	if v := req.Get("command"); v.Type() == js.TypeString {
		s.event("reply", map[string]any{"text": s.command(v.String())})
	}
}

// command runs one console line against the chapter's database.
func (s *BrowserSession) command(line string) string {
	args, err := console.Split(line)
	if err != nil {
		return "(error) " + err.Error()
	}
	if len(args) == 0 {
		return ""
	}
	if s.console == nil {
		c, err := s.mr.Dial()
		if err != nil {
			return "(error) " + err.Error()
		}
		s.console = console.New(c)
	}
	out, err := s.console.Do(args)
	if err != nil {
		s.console.Close()
		s.console = nil
		return "(error) " + err.Error()
	}
	return out
}

// Finish ends the cells. A panic is reported with its stack; either way
// the program then stays, answering the console, until the page stops it.
func (s *BrowserSession) Finish() {
	if r := recover(); r != nil {
		s.event("panic", map[string]any{"cell": s.cell, "message": fmt.Sprint(r), "stack": string(debug.Stack())})
	} else {
		s.endCell()
		s.event("done", nil)
	}
	for {
		s.serve(<-s.requests)
	}
}

// Display prints the values of a cell's final expression, as Session does.
func (s *BrowserSession) Display(values ...any) {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = Format(v)
	}
	fmt.Println(strings.Join(parts, " "))
}

// running is the BrowserSession of this program, once StartBrowser has
// made it (the worker runs one goroutine at a time: no lock).
var running *BrowserSession

// showImage sends the picture to the page (its media type as "media":
// the worker's messages use "type" for the kind of event), which shows it in the cell's
// output where the cell is at, as a walk's does.
func showImage(mediaType string, data []byte, alt string) {
	s := running
	if s == nil {
		writeImageFile(mediaType, data, alt)
		return
	}
	arr := js.Global().Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(arr, data)
	s.event("image", map[string]any{"cell": s.cell, "media": mediaType, "data": arr, "alt": alt})
}

func (s *BrowserSession) event(kind string, fields map[string]any) {
	os.Stdout.Sync()
	obj := map[string]any{"kind": kind}
	for k, v := range fields {
		obj[k] = v
	}
	js.Global().Get("notebook").Call("event", obj)
}
