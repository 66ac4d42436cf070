// Package redisproxy is the guard of a real Redis server against the code
// of a run (a chapter program, or graded code), and the runner's proxy to
// that server. The guard checks every command of a connection against a
// Policy (built from the server's own command table: ACL categories, flags
// and key specs), refuses anything that reaches beyond the run's database,
// and records which keys the run's own commands created (a Session, with a
// Record), so that at the end exactly those are deleted, whatever became
// of the client.
//
// The chapter's program runs the guard inside itself (NewConn, package
// guard), on its own connections to the server, writing to the run's
// record file: a second process on every round trip cost more than the
// whole guard. The Proxy, on a private Unix socket, serves the runner's
// console and anything else that must reach the run's database, each of
// its connections guarded too; it keeps the record, and does the cleanup
// from it once the program has ended, however it ended.
//
// The guard stops accidents, not malice: code that opens its own connection
// to the server bypasses it.
package redisproxy

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis-notebook/tutorial/runner/term"
)

// Config says which server the proxy reaches, and how.
type Config struct {
	URL            string // the real server: redis://, rediss:// or unix://
	AllowDirty     bool   // run beside keys already in the database, never touching them
	AllowScripts   bool   // let scripts and functions run, unchecked
	Keep           bool   // leave the keys the run created
	CleanLeftovers bool   // first remove the keys that dead runs recorded
	Label          string // what runs, for the leftover record: a chapter's path
	LeftoverDir    string // where leftover records live (required)
}

// A Proxy is the runner's way into one database of a real server.
type Proxy struct {
	srv    *Server
	cfg    Config
	policy Policy
	ln     net.Listener
	dir    string // the private folder holding the socket
	notes  []string

	mu       sync.Mutex
	existing map[string]bool // keys present before the run: never touched
	rec      *Record         // the runner's own sessions' view of the record
	journal  *journal
	conns    map[net.Conn]bool
	closed   bool
	handlers sync.WaitGroup
}

// Start connects to the server, refuses a database that holds keys (unless
// AllowDirty), and listens for the run's client.
func Start(cfg Config) (*Proxy, error) {
	srv, err := parseServer(cfg.URL)
	if err != nil {
		return nil, err
	}
	c, err := srv.dial(2 * time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	p := &Proxy{srv: srv, cfg: cfg, policy: Policy{DB: srv.DB, AllowScripts: cfg.AllowScripts},
		conns: map[net.Conn]bool{}}

	leftovers := findLeftovers(cfg.LeftoverDir, srv)
	defer func() {
		for _, l := range leftovers {
			l.done(false)
		}
	}()
	if cfg.CleanLeftovers {
		for _, l := range leftovers {
			n, err := c.unlink(l.Keys)
			if err != nil {
				return nil, fmt.Errorf("removing what %s left in %s: %v", l, srv.Where(), err)
			}
			note := fmt.Sprintf("removed the %s that %s left", term.Plural(n, "key"), l)
			if left := c.existingOf(l.Unknown); len(left) > 0 {
				note += "; " + unknownNote(left)
			}
			l.done(true)
			p.notes = append(p.notes, note)
		}
		leftovers = nil
	}
	if p.existing, err = c.scanKeys(); err != nil {
		return nil, fmt.Errorf("listing keys in %s: %v", srv.Where(), err)
	}
	// A record none of whose keys exist any more has nothing left to say.
	live := leftovers[:0]
	for _, l := range leftovers {
		if slices.ContainsFunc(append(slices.Clip(l.Keys), l.Unknown...), func(k string) bool { return p.existing[k] }) {
			live = append(live, l)
		} else {
			l.done(true)
		}
	}
	leftovers = live
	if len(p.existing) > 0 && !cfg.AllowDirty {
		return nil, p.dirtyError(c, leftovers)
	}
	if p.journal, err = openJournal(cfg.LeftoverDir, srv, cfg.Label); err != nil {
		return nil, fmt.Errorf("cannot keep a record of the run's keys in %s: %v", cfg.LeftoverDir, err)
	}
	if p.dir, err = os.MkdirTemp("", "notebook-redis-"); err != nil {
		p.journal.remove()
		return nil, err
	}
	if err := writeExisting(p.ExistingPath(), p.existing); err != nil {
		p.journal.remove()
		os.RemoveAll(p.dir)
		return nil, err
	}
	p.rec = NewRecord(p.existing)
	p.rec.journal = p.journal
	// The console follows what the chapter's program records.
	if p.rec.follow, err = os.Open(p.journal.path); err != nil {
		p.journal.remove()
		os.RemoveAll(p.dir)
		return nil, err
	}
	if p.ln, err = net.Listen("unix", filepath.Join(p.dir, "redis.sock")); err != nil {
		p.journal.remove()
		os.RemoveAll(p.dir)
		return nil, err
	}
	go p.serve()
	return p, nil
}

// dirtyError explains a database that holds keys, naming what dead runs left.
func (p *Proxy) dirtyError(c *conn, leftovers []*Leftover) error {
	msg := fmt.Sprintf("%s already holds %s; the runner will not work among somebody's data.",
		p.srv.Where(), term.Plural(len(p.existing), "key"))
	next := "Name"
	for _, l := range leftovers {
		n := 0
		for _, k := range l.Keys {
			if p.existing[k] {
				n++
			}
		}
		u := 0
		for _, k := range l.Unknown {
			if p.existing[k] {
				u++
			}
		}
		run := strings.ToUpper(l.String()[:1]) + l.String()[1:]
		if n > 0 {
			msg += fmt.Sprintf(" %s was stopped before it could clean up and left %d of them; "+
				"pass --clean-leftovers to remove exactly those.", run, n)
			next = "Otherwise name"
		}
		if u > 0 {
			msg += fmt.Sprintf(" %s may also have made %s of them, but was stopped before it saw whether it did: "+
				"the runner never deletes those.", run, term.Plural(u, "key"))
		}
	}
	return errors.New(msg + fmt.Sprintf(" %s an empty database in the URL (redis://%s/N), "+
		"or pass --allow-dirty to run beside those keys without touching them", next, p.srv.Addr))
}

// Notes says what Start did besides connecting (leftovers removed).
func (p *Proxy) Notes() []string { return p.notes }

// URL is how the run's client reaches the proxy: a Unix socket in a folder
// only this user can enter, in the run's database.
func (p *Proxy) URL() string {
	return fmt.Sprintf("unix://%s?db=%d", p.ln.Addr().String(), p.srv.DB)
}

// RecordPath is the run's record file, where the chapter's program appends
// what its own sessions learn (OpenRecord).
func (p *Proxy) RecordPath() string { return p.journal.path }

// ExistingPath is a file listing the keys that were in the database before
// the run, for the chapter's program (ReadExisting).
func (p *Proxy) ExistingPath() string { return filepath.Join(p.dir, "existing") }

// DB is the run's database.
func (p *Proxy) DB() int { return p.srv.DB }

func (p *Proxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			client.Close()
			return
		}
		p.conns[client] = true
		p.handlers.Add(1)
		p.mu.Unlock()
		go p.handle(client)
	}
}

func oneLine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

func (p *Proxy) forget(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// Close ends every connection of the run and then, unless Keep, deletes
// the keys the run created: those it wrote that were not there before it.
// It returns a note for the user ("removed the 3 keys this run created"),
// or what went wrong.
func (p *Proxy) Close() string {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ""
	}
	p.closed = true
	p.ln.Close()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.handlers.Wait()
	p.rec.follow.Close()
	os.RemoveAll(p.dir)

	own, err := p.ownership()
	if err != nil {
		p.journal.release()
		return fmt.Sprintf("could not read the record of the run's keys (%v); the next run will offer --clean-leftovers", err)
	}
	if p.cfg.Keep {
		p.journal.remove()
		if len(own.Owned) == 0 {
			return ""
		}
		return fmt.Sprintf("kept the %s this run created", term.Plural(len(own.Owned), "key"))
	}
	c, err := p.srv.dial(5 * time.Second)
	if err != nil {
		p.journal.release()
		return fmt.Sprintf("could not clean up (%v); the next run will offer --clean-leftovers", err)
	}
	defer c.Close()
	n, err := c.unlink(own.Owned)
	if err != nil {
		p.journal.release()
		return fmt.Sprintf("could not clean up (%v); the next run will offer --clean-leftovers", err)
	}
	p.journal.remove()
	var notes []string
	if n > 0 {
		notes = append(notes, fmt.Sprintf("removed the %s this run created", term.Plural(n, "key")))
	}
	if left := c.existingOf(own.Unknown); len(left) > 0 {
		notes = append(notes, unknownNote(left))
	}
	if p.cfg.AllowScripts {
		if stray := p.untracked(c, own); stray > 0 {
			notes = append(notes, fmt.Sprintf("%s appeared that no command of the run named "+
				"(a script may have made them, or another client): left in place", term.Plural(stray, "key")))
		}
	}
	return strings.Join(notes, "; ")
}

// ownership replays the run's record, as the runner's console and the
// chapter's program wrote it.
func (p *Proxy) ownership() (Ownership, error) {
	f, err := os.Open(p.journal.path)
	if err != nil {
		return Ownership{}, err
	}
	defer f.Close()
	_, events, err := readRecord(f)
	return replayRecord(events, time.Now()), err
}

// unknownNote names keys whose creation the run did not see.
func unknownNote(keys []string) string {
	shown := keys[:min(len(keys), 5)]
	quoted := make([]string, len(shown))
	for i, k := range shown {
		quoted[i] = strconv.Quote(k)
	}
	more := ""
	if len(keys) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(keys)-len(shown))
	}
	return fmt.Sprintf("left %s whose creation the run did not see (it was stopped between a command and its reply, "+
		"or the key may have expired and been made again by another client): %s%s", term.Plural(len(keys), "key"), strings.Join(quoted, ", "), more)
}

// untracked counts keys present now that were neither there before nor
// named by the run.
func (p *Proxy) untracked(c *conn, own Ownership) int {
	now, err := c.scanKeys()
	if err != nil {
		return 0
	}
	for _, k := range append(slices.Clip(own.Owned), own.Unknown...) {
		delete(now, k)
	}
	n := 0
	for k := range now {
		if !p.existing[k] {
			n++
		}
	}
	return n
}
