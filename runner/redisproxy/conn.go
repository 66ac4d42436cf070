package redisproxy

import (
	"bufio"
	"bytes"
	"fmt"
	"net"

	"github.com/redis-notebook/tutorial/runner/resp"
)

// A guardedConn is a connection to the server, as a client library sees it,
// with a Session between them: what the client writes is checked command by
// command and what it reads is the replies it expects. It runs in the
// client's own process and goroutine, so a round trip costs no hop to
// another process; the record of created keys goes to the run's record file,
// which outlives the process.
type guardedConn struct {
	net.Conn // the server
	s        *Session
	r        *bufio.Reader
	w        *bufio.Writer
	in       []byte // the start of a command not yet whole
	end      resp.CommandEnd
	out      bytes.Buffer // replies not yet read by the client
}

// NewConn puts a session on nc, a connection to the server already in the
// run's database (or whose client will SELECT it: SELECT passes the policy
// only for the run's database).
func NewConn(nc net.Conn, policy Policy, rec *Record) net.Conn {
	return &guardedConn{Conn: nc, s: NewSession(policy, rec),
		r: bufio.NewReaderSize(nc, 32<<10), w: bufio.NewWriterSize(nc, 32<<10)}
}

// Write takes whatever part of the command stream the client writes: whole
// commands are checked and sent at once, a partial one waits for the rest.
func (c *guardedConn) Write(b []byte) (int, error) {
	rec := c.s.rec
	rec.gate.RLock()
	defer rec.gate.RUnlock()
	if rec.stopped {
		return 0, ErrStopped
	}
	data := b
	if len(c.in) > 0 {
		c.in = append(c.in, b...)
		// Look only at what came: a long command is written in many pieces.
		n, err := c.end.Find(c.in, resp.ServerLimits)
		if err != nil {
			return 0, fmt.Errorf("notebook: the client wrote something that is not a command (%v)", err)
		}
		if n == 0 {
			return len(b), nil
		}
		data = c.in
	}
	for len(data) > 0 {
		args, n, err := resp.ParseCommand(data, resp.ServerLimits)
		if err != nil {
			return 0, fmt.Errorf("notebook: the client wrote something that is not a command (%v)", err)
		}
		if n == 0 {
			break // not whole yet
		}
		c.s.Submit(args, data[:n], c.w)
		data = data[n:]
	}
	if len(data) > 0 {
		c.in = append(c.in[:0:0], data...)
		c.end = resp.CommandEnd{}
	} else {
		c.in = c.in[:0]
	}
	if err := c.w.Flush(); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Read hands back the replies, one command's at a time.
func (c *guardedConn) Read(p []byte) (int, error) {
	for c.out.Len() == 0 {
		if !c.s.HasPending() {
			return c.r.Read(p) // nothing asked: whatever the server pushes
		}
		if _, err := c.s.Reply(c.r, &c.out); err != nil {
			return 0, err
		}
	}
	return c.out.Read(p)
}
