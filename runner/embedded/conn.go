package embedded

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2/server"
)

// Dial returns a client connection to the server through memory, on which
// a command runs as soon as it is written, in the writer's goroutine, and
// its reply waits in a buffer for the client to read.
//
// miniredis's own Dial serves a net.Pipe with two goroutines of its own,
// so every round trip crossed three goroutines and the pipe's unbuffered
// handoffs: most of a one-command-at-a-time loop's time on a 2-core
// machine. Here a round trip is a function call. Commands that may wait
// for another client (BLPOP, XREAD BLOCK, WAIT…) run on a goroutine of
// the connection instead, in order with the commands around them, so that
// the writer never waits and a read deadline still ends the wait.
func (s *Server) Dial() (net.Conn, error) {
	c := &conn{srv: s.Server()}
	c.peer = server.NewPeer(bufio.NewWriter(replies{c}))
	c.cond = sync.NewCond(&c.mu)
	c.in.left = -1
	return c, nil
}

// errClosed is what a connection answers once the server has ended it
// (QUIT, or a request it could not read).
var errClosed = errors.New("embedded: the server closed the connection")

type conn struct {
	srv  *server.Server
	peer *server.Peer

	writing sync.Mutex        // one Write at a time: commands stay in order
	in      commands          // what was written, read a command at a time; under writing
	names   map[string]string // command names seen, in capitals; under writing

	mu       sync.Mutex
	cond     *sync.Cond // on mu: replies came, or the connection ended
	out      []byte     // replies, read up to out[read:]
	read     int
	closed   bool      // Close was called
	ended    bool      // the server ended the connection
	deadline time.Time // for Read; zero: none
	timer    *time.Timer
	armed    time.Time  // when timer fires; zero: it is not armed
	queue    [][]string // commands for the worker, in order
	working  bool       // a worker goroutine runs queue
	// What closing must undo for miniredis, which only its own
	// connections tell about a disconnect: a subscription, a MULTI.
	subscribed, inMulti bool
}

// replies is where the peer's buffered writer flushes: the connection's
// read buffer. Pub/sub messages arrive here from other goroutines too.
type replies struct{ c *conn }

func (r replies) Write(p []byte) (int, error) {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return len(p), nil // nobody will read it
	}
	c.out = append(c.out, p...)
	c.cond.Broadcast()
	return len(p), nil
}

// Write runs every command p completes; a command cut off at the end of p
// waits for the rest.
func (c *conn) Write(p []byte) (int, error) {
	c.writing.Lock()
	defer c.writing.Unlock()
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return 0, net.ErrClosed
	}
	if c.ended {
		c.mu.Unlock()
		return 0, errClosed
	}
	c.mu.Unlock()

	c.in.buf = append(c.in.buf, p...)
	for {
		args, err := c.in.next()
		if err != nil {
			c.replyError("ERR Protocol error: " + err.Error())
			c.end()
			c.in = commands{left: -1}
			break
		}
		if args == nil {
			break
		}
		if len(args) > 0 { // Redis ignores an empty array
			c.run(args)
		}
		if c.peer.Closed() { // QUIT: what follows it is not run
			c.in = commands{left: -1}
			break
		}
	}
	if len(c.in.buf) == 0 && cap(c.in.buf) > 1<<20 {
		c.in.buf = nil // let a large pipeline's memory go
	}
	return len(p), nil
}

// run runs one command now, or hands it to the worker when it may wait or
// when commands written before it are still waiting there.
func (c *conn) run(args []string) {
	// The name in capitals, without allocating: the names that matter
	// here are short.
	var buf [16]byte
	name := buf[:0]
	if len(args[0]) <= len(buf) {
		for i := range len(args[0]) {
			b := args[0][i]
			if 'a' <= b && b <= 'z' {
				b -= 'a' - 'A'
			}
			name = append(name, b)
		}
	}
	// Known names go on in capitals, as one string per connection:
	// miniredis then need not make a capitalised copy of each.
	if up, ok := c.names[string(name)]; ok {
		args[0] = up
	} else if len(name) > 0 && c.srv.IsRegisteredCommand(args[0]) {
		if c.names == nil {
			c.names = map[string]string{}
		}
		up := string(name)
		c.names[up], args[0] = up, up
	}
	wait := false
	c.mu.Lock()
	switch string(name) {
	case "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE":
		c.subscribed = true
	case "MULTI":
		c.inMulti = true
	case "EXEC", "DISCARD":
		c.inMulti = false
	case "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP",
		"XREAD", "XREADGROUP", "WAIT", "WAITAOF":
		wait = true // the command may wait for another client's change
	}
	if c.working || wait {
		c.queue = append(c.queue, args)
		if !c.working {
			c.working = true
			go c.work()
		}
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	c.dispatch(args)
}

func (c *conn) work() {
	for {
		c.mu.Lock()
		if len(c.queue) == 0 || c.closed {
			c.queue, c.working = nil, false
			closed := c.closed
			c.mu.Unlock()
			if closed {
				c.forget()
			}
			return
		}
		args := c.queue[0]
		c.queue = c.queue[1:]
		c.mu.Unlock()
		c.dispatch(args)
	}
}

func (c *conn) dispatch(args []string) {
	c.srv.Dispatch(c.peer, args)
	c.peer.Flush()
	if c.peer.Closed() { // QUIT
		c.end()
	}
}

func (c *conn) replyError(msg string) {
	c.peer.WriteError(msg)
	c.peer.Flush()
}

// end marks the connection ended by the server: what it answered can
// still be read, then Read says io.EOF.
func (c *conn) end() {
	c.mu.Lock()
	c.ended = true
	c.cond.Broadcast()
	c.mu.Unlock()
}

// Read returns replies, waiting for some until the read deadline.
func (c *conn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.read == len(c.out) {
		switch {
		case c.closed:
			return 0, net.ErrClosed
		case c.ended:
			return 0, io.EOF
		}
		if !c.deadline.IsZero() {
			if !time.Now().Before(c.deadline) {
				return 0, os.ErrDeadlineExceeded
			}
			c.arm(c.deadline)
		}
		c.cond.Wait()
	}
	n := copy(p, c.out[c.read:])
	c.read += n
	if c.read == len(c.out) {
		c.read = 0
		if cap(c.out) > 1<<20 {
			c.out = nil // a large reply's memory goes
		} else {
			c.out = c.out[:0]
		}
	}
	return n, nil
}

// arm makes sure a waiting Read wakes by t. One timer serves the
// connection, and is set only when a Read has to wait: go-redis moves the
// deadline before every command, and most replies are there at once.
// Called with the lock held.
func (c *conn) arm(t time.Time) {
	if !c.armed.IsZero() && !t.Before(c.armed) {
		return // it wakes earlier and arms again
	}
	c.armed = t
	if c.timer == nil {
		c.timer = time.AfterFunc(time.Until(t), c.wake)
		return
	}
	c.timer.Reset(time.Until(t))
}

func (c *conn) wake() {
	c.mu.Lock()
	c.armed = time.Time{}
	c.cond.Broadcast()
	c.mu.Unlock()
}

func (c *conn) SetDeadline(t time.Time) error { return c.SetReadDeadline(t) }

func (c *conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.deadline = t
	if c.read == len(c.out) && !c.armed.IsZero() {
		c.cond.Broadcast() // a Read waiting now looks at the new deadline
	}
	c.mu.Unlock()
	return nil
}

// SetWriteDeadline has nothing to bound: Write never waits for the server.
func (c *conn) SetWriteDeadline(time.Time) error { return nil }

// Close ends the connection, and with it what miniredis would end for one
// of its own: the connection's subscriptions and its open transaction.
func (c *conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.out, c.read = nil, 0
	if c.timer != nil {
		c.timer.Stop()
	}
	c.cond.Broadcast()
	working := c.working
	c.mu.Unlock()
	c.peer.Close() // a command waiting on the worker gives up
	if !working {
		c.forget()
	} // else the worker forgets once its command returns
	return nil
}

// forget undoes the connection's state in the server once it is closed.
func (c *conn) forget() {
	c.writing.Lock()
	defer c.writing.Unlock()
	if c.subscribed {
		for _, cmd := range []string{"UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"} {
			c.srv.Dispatch(c.peer, []string{cmd})
		}
	}
	if c.inMulti {
		c.srv.Dispatch(c.peer, []string{"DISCARD"})
	}
	c.subscribed, c.inMulti = false, false
}

func (c *conn) LocalAddr() net.Addr  { return memoryAddr{} }
func (c *conn) RemoteAddr() net.Addr { return memoryAddr{} }

type memoryAddr struct{}

func (memoryAddr) Network() string { return "memory" }
func (memoryAddr) String() string  { return "embedded" }

// commands reads the commands a client writes: arrays of bulk strings.
// A command's arguments are substrings of one string made of it once it
// is complete: one allocation per command rather than one per argument
// (a HSET of the whole word list has 197,465). Where its arguments end is
// kept as they complete, so a large command written in many pieces is
// read once, not again with each piece.
type commands struct {
	buf   []byte   // written, from the start of the command being read
	at    int      // how far into buf that command is read
	spans [][2]int // its arguments so far, as offsets into buf
	left  int      // its arguments still to come; -1: its header is next
}

// next returns the next complete command, or nil when buf holds no more
// of one than its start.
func (r *commands) next() ([]string, error) {
	if r.left < 0 {
		line, n, ok := cutLine(r.buf[r.at:])
		if !ok {
			return nil, nil
		}
		if len(line) == 0 || line[0] != '*' {
			return nil, errors.New("expected '*', got " + strconv.Quote(string(line)))
		}
		count, err := strconv.Atoi(string(line[1:]))
		if err != nil || count > 1<<20 {
			return nil, errors.New("invalid multibulk length")
		}
		r.at += n
		r.left, r.spans = max(count, 0), r.spans[:0]
	}
	for r.left > 0 {
		line, n, ok := cutLine(r.buf[r.at:])
		if !ok {
			return nil, nil
		}
		if len(line) == 0 || line[0] != '$' {
			return nil, errors.New("expected '$', got " + strconv.Quote(string(line)))
		}
		size, err := strconv.Atoi(string(line[1:]))
		if err != nil || size < 0 || size > 512<<20 {
			return nil, errors.New("invalid bulk length")
		}
		start := r.at + n
		if len(r.buf) < start+size+2 {
			return nil, nil
		}
		if r.buf[start+size] != '\r' || r.buf[start+size+1] != '\n' {
			return nil, errors.New("bulk string not followed by CRLF")
		}
		r.spans = append(r.spans, [2]int{start, start + size})
		r.at, r.left = start+size+2, r.left-1
	}
	whole := string(r.buf[:r.at])
	args := make([]string, len(r.spans)) // not nil, even for an empty array
	for i, sp := range r.spans {
		args[i] = whole[sp[0]:sp[1]]
	}
	if r.at == len(r.buf) {
		r.buf = r.buf[:0] // the arguments are copies: the buffer is free again
	} else {
		r.buf = r.buf[r.at:]
	}
	r.at, r.left = 0, -1
	return args, nil
}

// cutLine cuts a CRLF-terminated line from the start of b; n counts
// the CRLF too.
func cutLine(b []byte) (line []byte, n int, ok bool) {
	i := bytes.Index(b, []byte("\r\n"))
	if i < 0 {
		return nil, 0, false
	}
	return b[:i], i + 2, true
}
