// Package embedded runs the in-process Redis that chapters and the grader
// use by default: a miniredis that behaves like a real server where the
// lessons depend on it.
//
// Plain miniredis differs from Redis in two ways a learner would notice.
// Its clock never moves, so a key set with EX 2 is still there after the
// program sleeps for three seconds; and SCAN, HSCAN, SSCAN and ZSCAN answer
// with every match in one reply, so code that never follows the cursor
// works there and loses keys on a real server. A Server fixes both: TTLs
// run on the real clock (or a virtual one a test moves), and the SCAN family
// pages its replies as Redis does for the COUNT asked.
package embedded

import (
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/alicebob/miniredis/v2/server"
)

// A Server is an embedded Redis.
type Server struct {
	*miniredis.Miniredis
	clock *clock
	pager *pager
}

// New returns a server that is not listening on any port; reach it with
// Dial. TTLs follow the wall clock until SetTime is called.
func New() (*Server, error) {
	mr := miniredis.NewMiniRedis()
	// miniredis creates its command table when it starts, and a first Dial
	// starts it without a listener.
	c, err := mr.Dial()
	if err != nil {
		return nil, fmt.Errorf("starting the embedded miniredis: %w", err)
	}
	c.Close()
	return configure(mr), nil
}

// Start returns a server listening on a free loopback port as well, so
// that redis-cli can look in.
func Start() (*Server, error) {
	mr := miniredis.NewMiniRedis()
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("starting the embedded miniredis: %w", err)
	}
	return configure(mr), nil
}

func configure(mr *miniredis.Miniredis) *Server {
	s := &Server{Miniredis: mr, clock: &clock{mr: mr}, pager: newPager(mr.Server())}
	mr.Server().SetPreHook(s.beforeCommand)
	return s
}

// beforeCommand runs before miniredis dispatches any command, from any
// connection; true means it has answered the command itself.
func (s *Server) beforeCommand(c *server.Peer, cmd string, args ...string) bool {
	s.clock.before(cmd, args)
	return s.pager.hook(c, cmd, args...)
}

// SetTime moves the server's clock to t and keeps it there: keys whose
// TTL ends before t expire, as they would on a server whose clock reached
// t. Tests use it to cross a TTL without sleeping.
func (s *Server) SetTime(t time.Time) { s.clock.set(t) }
