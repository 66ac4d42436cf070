// Package redisproxy guards a real Redis server against the code of a run:
// a chapter program, or graded code. The run's client talks to a proxy on a
// private Unix socket; the proxy checks every command against a Policy
// (built from the server's own command table: ACL categories, flags and key
// specs), refuses anything that reaches beyond the run's database, records
// every key a command may write before the server sees it, and at the end
// deletes exactly the keys the run created, whatever became of the client.
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
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config says which server to guard and how.
type Config struct {
	URL            string // the real server: redis://, rediss:// or unix://
	AllowDirty     bool   // run beside keys already in the database, never touching them
	AllowScripts   bool   // let scripts and functions run, unchecked
	Keep           bool   // leave the keys the run created
	CleanLeftovers bool   // first remove the keys that dead runs recorded
	Label          string // what runs, for the leftover record: a chapter's path
	LeftoverDir    string // where leftover records live (required)
}

// A Proxy is a guarded way into one database of a real server.
type Proxy struct {
	srv    *Server
	cfg    Config
	policy Policy
	ln     net.Listener
	dir    string // the private folder holding the socket
	notes  []string

	mu       sync.Mutex
	existing map[string]bool // keys present before the run: never touched
	written  map[string]bool // keys the run may have written
	journal  *journal
	conns    map[net.Conn]bool
	closed   bool
	handlers sync.WaitGroup
}

// Start connects to the server, refuses a database that holds keys (unless
// AllowDirty), and listens for the run's client.
func Start(cfg Config) (*Proxy, error) {
	srv, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	c, err := srv.dial(2 * time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	p := &Proxy{srv: srv, cfg: cfg, policy: Policy{DB: srv.DB, AllowScripts: cfg.AllowScripts},
		written: map[string]bool{}, conns: map[net.Conn]bool{}}

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
			l.done(true)
			p.notes = append(p.notes, fmt.Sprintf("removed the %s that %s left", Plural(n, "key"), l))
		}
		leftovers = nil
	}
	if p.existing, err = c.scanKeys(); err != nil {
		return nil, fmt.Errorf("listing keys in %s: %v", srv.Where(), err)
	}
	// A record none of whose keys exist any more has nothing left to say.
	live := leftovers[:0]
	for _, l := range leftovers {
		if slices.ContainsFunc(l.Keys, func(k string) bool { return p.existing[k] }) {
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
		p.srv.Where(), Plural(len(p.existing), "key"))
	next := "Name"
	for _, l := range leftovers {
		n := 0
		for _, k := range l.Keys {
			if p.existing[k] {
				n++
			}
		}
		if n > 0 {
			msg += fmt.Sprintf(" %s was stopped before it could clean up and left %d of them; "+
				"pass --clean-leftovers to remove exactly those.", strings.ToUpper(l.String()[:1])+l.String()[1:], n)
			next = "Otherwise name"
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

// Where names the guarded server and database for messages.
func (p *Proxy) Where() string { return p.srv.Where() }

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

// admit checks one command, and records the keys it may write before it
// is forwarded. It returns the error to send instead, if any.
func (p *Proxy) admit(args [][]byte) string {
	v := p.policy.Check(args)
	if !v.Allowed() {
		return oneLine(v.Error())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range v.Keys {
		if p.existing[k] {
			return oneLine(fmt.Sprintf("notebook: refusing %s: key %q was in the database before this run, "+
				"and the runner never touches other people's keys", v.Command, k))
		}
	}
	var fresh []string
	for _, k := range v.Writes {
		if !p.written[k] {
			fresh = append(fresh, k)
		}
	}
	if len(fresh) > 0 {
		if err := p.journal.add(fresh); err != nil {
			return oneLine(fmt.Sprintf("notebook: refusing %s: cannot record its keys for cleanup: %v", v.Command, err))
		}
		for _, k := range fresh {
			p.written[k] = true
		}
	}
	return ""
}

func oneLine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

func (p *Proxy) forget(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// Written returns the keys the run may have written, sorted.
func (p *Proxy) Written() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var keys []string
	for k := range p.written {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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
	os.RemoveAll(p.dir)

	var created []string
	for _, k := range p.Written() {
		if !p.existing[k] {
			created = append(created, k)
		}
	}
	if p.cfg.Keep {
		p.journal.remove()
		if len(created) == 0 {
			return ""
		}
		return fmt.Sprintf("kept the %s this run wrote", Plural(len(created), "key"))
	}
	c, err := p.srv.dial(5 * time.Second)
	if err != nil {
		p.journal.release()
		return fmt.Sprintf("could not clean up (%v); the next run will offer --clean-leftovers", err)
	}
	defer c.Close()
	n, err := c.unlink(created)
	if err != nil {
		p.journal.release()
		return fmt.Sprintf("could not clean up (%v); the next run will offer --clean-leftovers", err)
	}
	p.journal.remove()
	var notes []string
	if n > 0 {
		notes = append(notes, fmt.Sprintf("removed the %s this run created", Plural(n, "key")))
	}
	if p.cfg.AllowScripts {
		if stray := p.untracked(c); stray > 0 {
			notes = append(notes, fmt.Sprintf("%s appeared that no command of the run named "+
				"(a script may have made them, or another client): left in place", Plural(stray, "key")))
		}
	}
	return strings.Join(notes, "; ")
}

// untracked counts keys present now that were neither there before nor
// named by the run.
func (p *Proxy) untracked(c *conn) int {
	now, err := c.scanKeys()
	if err != nil {
		return 0
	}
	n := 0
	for k := range now {
		if !p.existing[k] && !p.written[k] {
			n++
		}
	}
	return n
}

// Plural writes n and the noun, in the plural unless n is 1: "1 key",
// "3 keys".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
