package embedded

import (
	"context"
	"net"

	"github.com/redis/go-redis/v9"
)

// NoRetries is go-redis's MaxRetries that turns off its retries (3 by
// default), with which a command that met a broken connection is sent
// again: an INCR, or a whole pipeline of them, would then count twice.
// Sending again is the learner's decision, and a lesson of its own.
const NoRetries = -1

// ClientOptions are a chapter client's options on this server, in the
// chapter's program and in the browser: it dials through memory (Dial).
func (s *Server) ClientOptions() *redis.Options {
	return &redis.Options{
		Dialer:          func(context.Context, string, string) (net.Conn, error) { return s.Dial() },
		DisableIdentity: true,
		MaxRetries:      NoRetries,
		// No deadline on each read and write: in memory a reply is there
		// as soon as the command is written, and each deadline costs
		// reading the clock. Blocking commands (BLPOP) still get
		// go-redis's deadline from their own timeout.
		ReadTimeout:  -2,
		WriteTimeout: -2,
	}
}
