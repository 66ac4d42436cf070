// Package redisgate serves Redis to graded code over a socket, reading the
// commands it sends on their way to the real backend, outside the graded
// code's process: it can neither hide a command from the grader nor send
// one the grader's policy refuses.
//
// The gate speaks RESP on the client's side and groups what arrives into
// round trips: the commands a client sent before it could have seen any
// reply (a pipeline is one trip, a loop of single commands is a trip
// each). A Session answers each trip, so that what is forwarded, refused
// or recorded is the caller's business, in one narrow interface.
package redisgate

import (
	"bufio"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/redis-notebook/tutorial/runner/grade/wire"
	"github.com/redis-notebook/tutorial/runner/resp"
)

// A Command is one command as sent: its name and arguments.
type Command []string

// A Session answers one client connection's round trips.
type Session interface {
	// Trip answers one round trip's commands: one RESP reply each, in
	// order (see resp.ErrorReply, resp.Bulk, resp.Encode).
	Trip(cmds []Command) [][]byte
	// Close ends the session when the client goes away.
	Close()
}

// Limits on what one client may send, so that a runaway loop cannot fill
// the grader's memory.
const (
	maxArgs     = 1 << 20
	maxArgBytes = 64 << 20
	maxTrip     = 10_000 // commands; a longer pipeline is answered in parts
	// bigTrip is the size after which a trip may have been split by the
	// client's write buffer (go-redis flushes every 32 KiB): the gate
	// then waits briefly for the rest of it before answering.
	bigTrip  = 16 << 10
	tripWait = 20 * time.Millisecond
)

// A Gate accepts connections and serves each with a Session of its own.
type Gate struct {
	l       net.Listener
	open    func() Session
	mu      sync.Mutex
	conns   map[net.Conn]bool
	closed  bool
	serving sync.WaitGroup
}

// Serve accepts connections on l, until Close, each answered by a new
// Session from open.
func Serve(l net.Listener, open func() Session) *Gate {
	g := &Gate{l: l, open: open, conns: map[net.Conn]bool{}}
	g.serving.Add(1)
	go func() {
		defer g.serving.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			g.mu.Lock()
			if g.closed {
				g.mu.Unlock()
				c.Close()
				return
			}
			g.conns[c] = true
			g.serving.Add(1)
			g.mu.Unlock()
			go func() {
				defer g.serving.Done()
				g.serveConn(c)
				g.mu.Lock()
				delete(g.conns, c)
				g.mu.Unlock()
			}()
		}
	}()
	return g
}

// Close stops accepting, closes every connection and waits a little for
// their sessions to end: not for ever, since a session may be blocked in
// a command the backend holds (BLPOP with no timeout).
func (g *Gate) Close() {
	g.mu.Lock()
	g.closed = true
	g.l.Close()
	for c := range g.conns {
		c.Close()
	}
	g.mu.Unlock()
	done := make(chan struct{})
	go func() { g.serving.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
}

func (g *Gate) serveConn(c net.Conn) {
	defer c.Close()
	s := g.open()
	defer s.Close()
	r := bufio.NewReaderSize(c, 64<<10)
	w := bufio.NewWriterSize(c, 64<<10)
	framed := false
	for {
		cmds, err := readTrip(c, r, &framed)
		if len(cmds) > 0 {
			for _, reply := range s.Trip(cmds) {
				w.Write(reply)
			}
			if w.Flush() != nil {
				return
			}
		}
		if err != nil {
			if errors.Is(err, resp.ErrProtocol) {
				w.Write(resp.ErrorReply("ERR " + err.Error()))
				w.Flush()
			}
			return
		}
	}
}

// readTrip reads the commands of one round trip. A framed client (one
// that sent wire.TripEnd when it connected) ends each trip with
// wire.TripEnd: the trip is what came before it, however long it took to
// arrive. Another's trip is the commands already buffered after the
// first, and for a big trip those that follow within tripWait.
func readTrip(c net.Conn, r *bufio.Reader, framed *bool) ([]Command, error) {
	var cmds []Command
	size := 0
	for len(cmds) < maxTrip {
		cmd, n, err := readCommand(r)
		if err != nil {
			return cmds, err
		}
		if len(cmd) == 1 && cmd[0] == wire.TripEnd {
			*framed = true
			if len(cmds) > 0 {
				break
			}
			continue // the hello, or a trip of nothing
		}
		cmds = append(cmds, cmd)
		size += n
		if *framed || r.Buffered() > 0 {
			continue
		}
		if size < bigTrip {
			break
		}
		c.SetReadDeadline(time.Now().Add(tripWait))
		_, err = r.Peek(1)
		c.SetReadDeadline(time.Time{})
		if err != nil {
			break // the client waits for the replies (or has gone)
		}
	}
	return cmds, nil
}

// commandLimits bound what a submission may send in one command: the
// gate reads a stranger's bytes, so only RESP arrays, and smaller bounds
// than the runner's own guard.
var commandLimits = resp.Limits{MaxArgs: maxArgs, MaxBulk: maxArgBytes}

// readCommand reads one command, and its size on the wire.
func readCommand(r *bufio.Reader) (Command, int, error) {
	args, size, err := resp.ReadCommand(r, commandLimits)
	if err != nil {
		return nil, 0, err
	}
	cmd := make(Command, len(args))
	for i, a := range args {
		cmd[i] = string(a)
	}
	return cmd, size, nil
}
