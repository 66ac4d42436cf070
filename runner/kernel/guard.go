package kernel

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/redisconn"
	"github.com/redis-notebook/tutorial/runner/redisproxy"
	"github.com/redis-notebook/tutorial/runner/term"
)

// guardConnections puts every connection opt dials behind the guard's
// session (redisproxy.NewConn): the policy checks each command, and rec
// learns which keys the run's own commands created, seen atomically with
// them, so that cleanup deletes those and nothing else.
func guardConnections(opt *redis.Options, policy redisproxy.Policy, rec *redisproxy.Record) {
	dial := opt.Dialer
	if dial == nil {
		dial = redis.NewDialer(opt)
	}
	opt.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		// A chapter's loops make one round trip per command: replies
		// from a server on this machine are polled for, not waited for.
		return redisproxy.NewConn(redisconn.SpinReads(nc), policy, rec), nil
	}
}

// RawArgs turns a go-redis command's arguments into the bytes the server
// receives, as go-redis writes them, so that the policy sees what the
// server will see: a []byte argument is a string like any other.
func RawArgs(args []any) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case string:
			out[i] = []byte(a)
		case []byte:
			out[i] = a
		case int:
			out[i] = strconv.AppendInt(nil, int64(a), 10)
		case int64:
			out[i] = strconv.AppendInt(nil, a, 10)
		case float64:
			out[i] = strconv.AppendFloat(nil, a, 'f', -1, 64)
		case bool:
			if a {
				out[i] = []byte("1")
			} else {
				out[i] = []byte("0")
			}
		case nil:
			out[i] = []byte{}
		case time.Duration:
			out[i] = strconv.AppendInt(nil, a.Nanoseconds(), 10)
		case time.Time:
			out[i] = a.AppendFormat(nil, time.RFC3339Nano)
		case fmt.Stringer:
			out[i] = []byte(a.String())
		default:
			out[i] = fmt.Append(nil, a)
		}
	}
	return out
}

// cleanup deletes the keys the record shows the run created. It uses a
// fresh, unguarded connection, since it may run while a cell is stopped
// mid-command.
func cleanup(opt *redis.Options, rec *redisproxy.Record) string {
	o := *opt
	o.Dialer = nil
	client := redis.NewClient(&o)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	created := rec.Owned()
	removed := int64(0)
	for start := 0; start < len(created); start += 1000 {
		batch := created[start:min(start+1000, len(created))]
		n, err := client.Unlink(ctx, batch...).Result()
		if err != nil {
			return fmt.Sprintf("cleaning up: %v", err)
		}
		removed += n
	}
	if removed == 0 {
		return ""
	}
	return fmt.Sprintf("removed the %s this run created", term.Plural(int(removed), "key"))
}
