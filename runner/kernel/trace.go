//go:build !(js && wasm)

package kernel

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/kernel/protocol"
	"github.com/redis-notebook/tutorial/runner/redisproxy"
)

// shownKeys is how many keys of each kind (created, changed, deleted) a
// cell's report names; the others are counted.
const shownKeys = 3

// tracer is a go-redis hook that counts what each cell sends: commands,
// and the round trips that carried them. With keys on, it also notes the
// keys each command may write (from the command table's key specs), so
// that the cell's end can say which it created, changed and deleted.
type tracer struct {
	keys bool

	mu       sync.Mutex
	paused   bool // the tracer's own lookups: not the cell's
	commands int
	trips    int
	written  []string        // in the order first written, this cell
	seen     map[string]bool // written this cell
	known    map[string]string
}

func newTracer(keys bool) *tracer {
	return &tracer{keys: keys, seen: map[string]bool{}, known: map[string]string{}}
}

// handshake says whether go-redis sent a command itself, to set up a new
// connection: it is not the cell's.
func handshake(name string) bool {
	switch name {
	case "hello", "client", "auth", "select":
		return true
	}
	return false
}

func (t *tracer) DialHook(next redis.DialHook) redis.DialHook { return next }

func (t *tracer) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		t.count(cmd)
		err := next(ctx, cmd)
		t.wrote(cmd)
		return err
	}
}

func (t *tracer) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		t.count(cmds...)
		err := next(ctx, cmds)
		t.wrote(cmds...)
		return err
	}
}

// count counts one round trip carrying cmds, unless they are all
// go-redis's own (MULTI and EXEC around a transaction count as commands,
// as they are sent).
func (t *tracer) count(cmds ...redis.Cmder) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.paused {
		return
	}
	ours := 0
	for _, c := range cmds {
		if !handshake(c.Name()) {
			ours++
		}
	}
	if ours > 0 {
		t.commands += ours
		t.trips++
	}
}

// wrote notes the keys that cmds, now answered, may have written: not
// those of a command the server refused (INCR of a word).
func (t *tracer) wrote(cmds ...redis.Cmder) {
	if !t.keys {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.paused {
		return
	}
	for _, c := range cmds {
		if err := c.Err(); (err != nil && err != redis.Nil) || handshake(c.Name()) {
			continue
		}
		args := make([][]byte, len(c.Args()))
		for i, a := range c.Args() {
			args[i] = []byte(argString(a))
		}
		for _, k := range redisproxy.WrittenKeys(args) {
			if !t.seen[k] {
				t.seen[k] = true
				t.written = append(t.written, k)
			}
		}
	}
}

func argString(a any) string {
	switch a := a.(type) {
	case string:
		return a
	case []byte:
		return string(a)
	default:
		return fmt.Sprint(a)
	}
}

// take returns the counts of the cell that ended and starts the next
// cell's from zero, with the keys it wrote.
func (t *tracer) take() (commands, trips int, written []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	commands, trips, written = t.commands, t.trips, t.written
	t.commands, t.trips, t.written = 0, 0, nil
	clear(t.seen)
	return commands, trips, written
}

// changes looks up the keys a cell wrote, on a client the tracer does not
// count, and sorts them into created, changed and deleted against what
// earlier cells left. A key no cell wrote before counts as new: the run's
// database was empty, or its keys are never touched.
func (t *tracer) changes(ctx context.Context, rdb *redis.Client, written []string) *protocol.KeyChanges {
	if len(written) == 0 {
		return nil
	}
	t.setPaused(true)
	defer t.setPaused(false)
	types := make([]*redis.StatusCmd, len(written))
	if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range written {
			types[i] = p.Type(ctx, k)
		}
		return nil
	}); err != nil && err != redis.Nil {
		return nil
	}
	kc := &protocol.KeyChanges{}
	var shown []*protocol.Key
	t.mu.Lock()
	for i, k := range written {
		typ, before := types[i].Val(), t.known[k]
		switch {
		case typ == "none" && before != "":
			kc.DeletedN++
			if len(kc.Deleted) < shownKeys {
				kc.Deleted = append(kc.Deleted, protocol.Key{Name: k, Type: before})
			}
			delete(t.known, k)
		case typ == "none": // made and removed within the cell
		case before == "":
			kc.CreatedN++
			if len(kc.Created) < shownKeys {
				kc.Created = append(kc.Created, protocol.Key{Name: k, Type: typ})
			}
			t.known[k] = typ
		default:
			kc.ChangedN++
			if len(kc.Changed) < shownKeys {
				kc.Changed = append(kc.Changed, protocol.Key{Name: k, Type: typ})
			}
			t.known[k] = typ
		}
	}
	t.mu.Unlock()
	for i := range kc.Created {
		shown = append(shown, &kc.Created[i])
	}
	for i := range kc.Changed {
		shown = append(shown, &kc.Changed[i])
	}
	sizes := make([]*redis.IntCmd, len(shown))
	rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range shown {
			sizes[i] = sizeOf(ctx, p, k.Name, k.Type)
		}
		return nil
	})
	for i, k := range shown {
		if sizes[i] != nil {
			k.Size = sizes[i].Val()
		}
	}
	return kc
}

// sizeOf queues the command that measures a key of type typ: a list's
// length, a hash's fields, a set's members, a string's bytes.
func sizeOf(ctx context.Context, p redis.Pipeliner, key, typ string) *redis.IntCmd {
	switch strings.ToLower(typ) {
	case "string":
		return p.StrLen(ctx, key)
	case "list":
		return p.LLen(ctx, key)
	case "hash":
		return p.HLen(ctx, key)
	case "set":
		return p.SCard(ctx, key)
	case "zset":
		return p.ZCard(ctx, key)
	case "stream":
		return p.XLen(ctx, key)
	}
	return nil
}

func (t *tracer) setPaused(p bool) {
	t.mu.Lock()
	t.paused = p
	t.mu.Unlock()
}
