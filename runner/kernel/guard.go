package kernel

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/redisproxy"
)

// guard is a go-redis hook on a real server, for code the runner does not
// put behind its proxy (the grader's harness). It applies the proxy's
// policy (redisproxy.Policy) to every command, refuses to touch keys that
// existed before the run, and remembers the keys the run may have written,
// so that cleanup deletes only keys the run created. Chapter programs are
// guarded by the runner itself, which survives them (redisproxy.Proxy).
type guard struct {
	policy   redisproxy.Policy
	existing map[string]bool // keys present before the run: never touched

	mu      sync.Mutex
	written map[string]bool // keys the run's commands may have written
}

func newGuard(db int, existing map[string]bool) *guard {
	return &guard{policy: redisproxy.Policy{DB: db}, existing: existing, written: map[string]bool{}}
}

func (g *guard) DialHook(next redis.DialHook) redis.DialHook { return next }

func (g *guard) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if err := g.check(cmd); err != nil {
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

func (g *guard) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			if err := g.check(cmd); err != nil {
				cmd.SetErr(err)
				return err
			}
		}
		return next(ctx, cmds)
	}
}

func (g *guard) check(cmd redis.Cmder) error {
	v := g.policy.Check(RawArgs(cmd.Args()))
	if !v.Allowed() {
		return errors.New(v.Error())
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, k := range v.Keys {
		if g.existing[k] {
			return fmt.Errorf("notebook: refusing %s: key %q was in the database before this run, and the runner never touches other people's keys", v.Command, k)
		}
	}
	for _, k := range v.Writes {
		g.written[k] = true
	}
	return nil
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

// cleanup deletes the keys that exist now, did not before the run, and were
// written by the run's own commands. It uses a fresh connection, since it
// may run while a cell is stopped mid-command.
func (g *guard) cleanup(opt *redis.Options) string {
	client := redis.NewClient(opt)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	g.mu.Lock()
	var created []string
	for k := range g.written {
		if !g.existing[k] {
			created = append(created, k)
		}
	}
	g.mu.Unlock()
	sort.Strings(created)
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
	return fmt.Sprintf("removed the %s this run created", redisproxy.Plural(int(removed), "key"))
}
