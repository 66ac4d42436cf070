//go:build !(js && wasm)

package kernel

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/kernel/protocol"
	"github.com/redis-notebook/tutorial/runner/redisbackend"
	"github.com/redis-notebook/tutorial/runner/redisconn"
)

// A Session is one run of a chapter program.
type Session struct {
	Client *redis.Client

	backend *redisbackend.Backend
	trace   *tracer
	token   string // marks the events of this run
	events  bool
	step    bool
	stdin   *bufio.Reader

	mu      sync.Mutex // guards cell and started against the signal handler
	cell    int
	started time.Time
	closing sync.Once
}

// Start connects to the backend the environment names. If it cannot, it
// reports why and exits: no cell can run without Redis.
func Start() *Session {
	s := &Session{
		token: eventsToken,
		step:  os.Getenv(protocol.EnvStep) == "1",
		stdin: bufio.NewReader(os.Stdin),
	}
	s.events = s.token != "" // see token.go: cells never see it
	s.profile()
	if os.Getenv("GOGC") == "" {
		// A chapter keeps large data alive (chapter 1: the word list, its
		// anagram groups, and the embedded server's copy of both).
		// Collecting when the heap has grown by 3x rather than 2x took
		// chapter 1's program 14% less CPU (1.47 s to 1.27 s, the mean
		// of five runs each) for a peak of 190 MB instead of 140 MB.
		debug.SetGCPercent(300)
	}
	if os.Getenv(protocol.EnvProbe) == "1" {
		s.probe()
	}
	b, err := redisbackend.Open(redisbackend.Config{
		URL:        os.Getenv(protocol.EnvRedisURL),
		AllowDirty: os.Getenv(protocol.EnvAllowDirty) == "1",
		Keep:       os.Getenv(protocol.EnvKeep) == "1",
		Guarded:    os.Getenv(protocol.EnvGuarded) == "1",
		Record:     os.Getenv(protocol.EnvRecord),
		Existing:   os.Getenv(protocol.EnvExisting),
		Scripts:    os.Getenv(protocol.EnvScripts) == "1",
	})
	if err != nil {
		s.fail(err.Error())
		os.Exit(2)
	}
	s.backend = b
	s.Client = b.Client
	s.trace = newTracer(os.Getenv(protocol.EnvKeys) == "1")
	s.Client.AddHook(s.trace)
	s.emit(protocol.Event{Kind: protocol.Ready, Addr: b.Addr, Backend: b.Name})
	s.catchSignals()
	running.Store(s)
	return s
}

// Cell marks the start of cell n, first waiting for the runner in step mode.
// It also ends the cell before it.
func (s *Session) Cell(n int) {
	s.endCell()
	if s.step {
		s.emit(protocol.Event{Kind: protocol.Wait, Cell: n})
		if line, err := s.stdin.ReadString('\n'); err != nil || line != "\n" {
			// The runner said stop, or went away: no further cell runs.
			s.close()
			os.Exit(0)
		}
	}
	s.trace.take() // what ran between cells is no cell's
	s.mu.Lock()
	s.cell, s.started = n, time.Now()
	s.mu.Unlock()
	s.emit(protocol.Event{Kind: protocol.Begin, Cell: n})
}

func (s *Session) endCell() {
	s.mu.Lock()
	n, elapsed := s.cell, time.Since(s.started)
	s.cell = 0
	s.mu.Unlock()
	if n != 0 {
		os.Stdout.Sync()
		commands, trips, written := s.trace.take()
		end := protocol.Event{Kind: protocol.End, Cell: n, Elapsed: elapsed, Commands: commands, Trips: trips}
		if s.trace.keys {
			end.Keys = s.trace.changes(context.Background(), s.Client, written)
		}
		s.emit(end)
	}
}

// Finish ends the run; generated programs defer it first thing in main. A
// panic in a cell is reported with its stack (whose positions point into the
// chapter, thanks to //line directives) and ends the program with status 2.
func (s *Session) Finish() {
	if r := recover(); r != nil {
		s.mu.Lock()
		n := s.cell
		s.mu.Unlock()
		s.emit(protocol.Event{Kind: protocol.Panic, Cell: n, Message: fmt.Sprint(r), Stack: string(debug.Stack())})
		if !s.events {
			fmt.Fprintf(os.Stderr, "panic in cell %d: %v\n%s", n, r, debug.Stack())
		}
		s.close()
		os.Exit(2)
	}
	s.endCell()
	s.close()
	s.emit(protocol.Event{Kind: protocol.Done})
}

// close releases the backend once, whichever way the run ends.
func (s *Session) close() {
	s.closing.Do(func() {
		pprof.StopCPUProfile()
		msg := ""
		if err := s.backend.Close(); err != nil {
			msg = err.Error()
		} else {
			msg = s.backend.Note()
		}
		if msg != "" {
			s.emit(protocol.Event{Kind: protocol.Cleaned, Message: msg})
		}
	})
}

// profile writes a CPU profile of the run where EnvCPUProfile says: how
// to see where a chapter's time goes, runner and all.
func (s *Session) profile() {
	path := os.Getenv(protocol.EnvCPUProfile)
	if path == "" || os.Getenv(protocol.EnvProbe) == "1" {
		return
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", protocol.EnvCPUProfile, err)
	}
}

// catchSignals lets a stopped run (the runner's time limit, or Ctrl-C)
// still clean up what it created on a real server.
func (s *Session) catchSignals() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		s.close()
		os.Exit(130)
	}()
}

func (s *Session) fail(msg string) {
	if s.events {
		s.emit(protocol.Event{Kind: protocol.Fail, Message: msg})
		return
	}
	fmt.Fprintln(os.Stderr, msg)
}

func (s *Session) emit(e protocol.Event) {
	if !s.events {
		return
	}
	// An event must start a line of its own even when the cell's output
	// did not end in a newline; the runner strips the Mark, not the text.
	os.Stdout.Write(e.Encode(s.token))
}

// Display prints the values of a cell's final expression, as a notebook
// shows the value of its last line.
func (s *Session) Display(values ...any) {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = Format(v)
	}
	fmt.Println(strings.Join(parts, " "))
}

// probe connects to the real server the environment names, as a run would
// (redisconn: TLS, the login, the choice of database), reports where the
// run can go, or why not, and exits before any cell. The runner, which
// links no Redis client, asks this of the chapter's program before it
// starts its proxy, so that walks and grading meet a hosted
// server with the same checks and messages.
func (s *Session) probe() {
	srv, err := redisconn.Connect(context.Background(), redisconn.Config{
		URL:        os.Getenv(protocol.EnvRedisURL),
		AllowDirty: os.Getenv(protocol.EnvAllowDirty) == "1",
	})
	if err != nil {
		s.fail(err.Error())
		os.Exit(2)
	}
	// The proxy lists the database's keys with SCAN before the run, to
	// leave them alone: a user who may not run it hears why here.
	client := redis.NewClient(srv.Options)
	err = client.Scan(context.Background(), 0, "", 1).Err()
	client.Close()
	if err != nil {
		s.fail(fmt.Sprintf("listing keys in %s: %v", srv.Where,
			redisconn.Explain(err, srv.Options, "SCAN", "the runner needs it to leave the keys already there alone")))
		os.Exit(2)
	}
	where := srv.Where
	if srv.Chosen != "" {
		where += "; " + srv.Chosen
	}
	s.emit(protocol.Event{Kind: protocol.Probed, Addr: where, DB: srv.Options.DB, User: srv.Options.Username})
	os.Exit(0)
}
