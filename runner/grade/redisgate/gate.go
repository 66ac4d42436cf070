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
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"time"
)

// A Command is one command as sent: its name and arguments.
type Command []string

// A Session answers one client connection's round trips.
type Session interface {
	// Trip answers one round trip's commands: one RESP reply each, in
	// order (see Error, Bulk, Encode).
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
	for {
		cmds, err := readTrip(c, r)
		if len(cmds) > 0 {
			for _, reply := range s.Trip(cmds) {
				w.Write(reply)
			}
			if w.Flush() != nil {
				return
			}
		}
		if err != nil {
			var perr protocolError
			if errors.As(err, &perr) {
				w.Write(Error("ERR " + perr.Error()))
				w.Flush()
			}
			return
		}
	}
}

// readTrip reads the commands of one round trip: those already buffered
// after the first, and for a big trip those that follow within tripWait.
func readTrip(c net.Conn, r *bufio.Reader) ([]Command, error) {
	var cmds []Command
	size := 0
	for len(cmds) < maxTrip {
		cmd, n, err := readCommand(r)
		if err != nil {
			return cmds, err
		}
		cmds = append(cmds, cmd)
		size += n
		if r.Buffered() > 0 {
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

type protocolError struct{ msg string }

func (e protocolError) Error() string { return "protocol error: " + e.msg }

// readCommand reads one command, an array of bulk strings, and its size.
func readCommand(r *bufio.Reader) (Command, int, error) {
	line, err := readLine(r)
	if err != nil {
		return nil, 0, err
	}
	if len(line) == 0 || line[0] != '*' {
		return nil, 0, protocolError{"the gate takes commands as RESP arrays, not inline"}
	}
	n, err := strconv.Atoi(string(line[1:]))
	if err != nil || n < 1 || n > maxArgs {
		return nil, 0, protocolError{fmt.Sprintf("bad array length %q", line[1:])}
	}
	size := len(line) + 2
	cmd := make(Command, 0, min(n, 64))
	for range n {
		line, err := readLine(r)
		if err != nil {
			return nil, 0, err
		}
		if len(line) == 0 || line[0] != '$' {
			return nil, 0, protocolError{"expected a bulk string"}
		}
		m, err := strconv.Atoi(string(line[1:]))
		if err != nil || m < 0 || m > maxArgBytes {
			return nil, 0, protocolError{fmt.Sprintf("bad bulk length %q", line[1:])}
		}
		buf := make([]byte, m+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, 0, err
		}
		cmd = append(cmd, string(buf[:m]))
		size += len(line) + 2 + m + 2
	}
	return cmd, size, nil
}

func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, protocolError{"line too long"}
		}
		return nil, err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return nil, protocolError{"line not ended by CRLF"}
	}
	return line[:len(line)-2], nil
}
