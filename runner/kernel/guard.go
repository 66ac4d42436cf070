package kernel

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// commands that reach beyond the run's own keys or database. The runner
// cleans up after itself, so a chapter never needs them on a real server.
var forbidden = map[string]string{
	"flushall": "empties every database",
	"flushdb":  "empties the whole database, not just the run's keys",
	"swapdb":   "swaps in another database",
	"select":   "switches to another database",
	"move":     "moves a key to another database",
	"migrate":  "moves a key to another server",
}

// guard is a go-redis hook on a real server. It refuses commands that would
// reach outside the run's database or touch keys that existed before the
// run, and it remembers every name the run used, so that cleanup deletes
// only keys the run created.
type guard struct {
	db       int             // the run's database: the only one SELECT may name
	existing map[string]bool // keys present before the run: never touched

	mu   sync.Mutex
	used map[string]bool // every string argument the run has sent
}

func newGuard(db int, existing map[string]bool) *guard {
	return &guard{db: db, existing: existing, used: map[string]bool{}}
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
	args := cmd.Args()
	name := strings.ToLower(cmd.Name())
	// go-redis itself selects the run's database on every new connection.
	if name == "select" && len(args) == 2 && fmt.Sprint(args[1]) == strconv.Itoa(g.db) {
		return nil
	}
	if why, ok := forbidden[name]; ok {
		return fmt.Errorf("notebook: refusing %s on a real server: it %s", strings.ToUpper(name), why)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, a := range args[1:] {
		s, ok := a.(string)
		if !ok {
			continue
		}
		if g.existing[s] {
			return fmt.Errorf("notebook: refusing %s: key %q was in the database before this run, and the runner never touches other people's keys", strings.ToUpper(name), s)
		}
		g.used[s] = true
	}
	return nil
}

// cleanup deletes the keys that exist now, did not before the run, and were
// named by the run's own commands. It uses a fresh connection, since it may
// run while a cell is stopped mid-command.
func (g *guard) cleanup(opt *redis.Options) string {
	client := redis.NewClient(opt)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now, err := keyNames(ctx, client)
	if err != nil {
		return fmt.Sprintf("could not list keys to clean up: %v", err)
	}
	g.mu.Lock()
	var created []string
	for k := range now {
		if g.used[k] && !g.existing[k] {
			created = append(created, k)
		}
	}
	g.mu.Unlock()
	if len(created) == 0 {
		return ""
	}
	sort.Strings(created)
	for start := 0; start < len(created); start += 1000 {
		batch := created[start:min(start+1000, len(created))]
		if err := client.Unlink(ctx, batch...).Err(); err != nil {
			return fmt.Sprintf("cleaning up: %v", err)
		}
	}
	return fmt.Sprintf("removed the %d keys this run created", len(created))
}
