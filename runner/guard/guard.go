// Package guard puts the guard on a chapter program's go-redis client, on
// a real server: every connection the client dials checks each command
// against the run's policy before the server sees it (redisproxy.Policy:
// nothing outside the run's database, no key that was there before the
// run), and tells the run's record which keys the run's own commands
// created, seen atomically with them (redisproxy.Session), so that cleanup
// deletes those and nothing else.
//
// The guard runs inside the program, on its own connections: a second
// process on every round trip (the runner's proxy) cost more than the
// whole guard.
package guard

import (
	"context"
	"net"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/redisconn"
	"github.com/redis-notebook/tutorial/runner/redisproxy"
)

// NewClient is a client of the server opt names whose every connection is
// guarded under policy, with rec learning the keys the run creates. opt
// itself is left as it is.
func NewClient(opt *redis.Options, policy redisproxy.Policy, rec *redisproxy.Record) *redis.Client {
	o := *opt
	dial := o.Dialer
	if dial == nil {
		dial = redis.NewDialer(&o)
	}
	o.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		// A chapter's loops make one round trip per command: replies
		// from a server on this machine are polled for, not waited for.
		return redisproxy.NewConn(redisconn.SpinReads(nc), policy, rec), nil
	}
	return redis.NewClient(&o)
}
