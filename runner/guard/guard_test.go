package guard

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/embedded"
	"github.com/redis-notebook/tutorial/runner/redisproxy"
)

// TestGuard: the guard of a run on a real server (here miniredis, which
// answers MULTI and EXISTS as Redis does) refuses what the policy refuses
// and keys from before the run, and counts as the run's only the keys its
// own commands created.
func TestGuard(t *testing.T) {
	mr, err := embedded.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer mr.Close()
	ctx := context.Background()
	other := redis.NewClient(&redis.Options{Addr: mr.Addr(), DB: 15})
	defer other.Close()
	other.Set(ctx, "theirs", "x", 0)
	rec := redisproxy.NewRecord(map[string]bool{"theirs": true})
	opt := &redis.Options{Addr: mr.Addr(), DB: 15, DisableIdentity: true, Protocol: 2}
	c := NewClient(opt, redisproxy.Policy{DB: 15}, rec)
	defer c.Close()
	other.Set(ctx, "made-by-another", "x", 0)
	for _, tt := range []struct {
		args []any
		want string // "" for allowed
	}{
		{[]any{"set", "mine", "v"}, ""},
		{[]any{"select", 15}, ""}, // go-redis selects the run's database itself
		{[]any{"select", 0}, "refusing SELECT"},
		{[]any{"flushdb"}, "refusing FLUSHDB"},
		{[]any{"FLUSHALL"}, "refusing FLUSHALL"},
		{[]any{"swapdb", 0, 15}, "refusing SWAPDB"},
		{[]any{"get", "theirs"}, `key "theirs" was in the database before this run`},
		{[]any{"del", "mine", "theirs"}, `refusing DEL: key "theirs"`},
		{[]any{"set", []byte("theirs"), "x"}, `key "theirs" was in the database before this run`},
		{[]any{"eval", "return 1", 0}, "--allow-scripts"},
		{[]any{"config", "set", "maxmemory", 1}, "refusing CONFIG SET"},
		{[]any{"move", "mine", 0}, "refusing MOVE"},
		{[]any{"copy", "mine", "other", "db", 0}, "refusing COPY"},
		{[]any{"rpush", []byte("list"), "read-only"}, ""},
		{[]any{"get", "read-only"}, ""},
		{[]any{"hset", "made-by-another", "f", "v"}, "WRONGTYPE"}, // the server's answer, passed on
		{[]any{"append", "made-by-another", "y"}, ""},
		{[]any{"incr", "counter"}, ""},
	} {
		err := c.Do(ctx, tt.args...).Err()
		if err == redis.Nil {
			err = nil
		}
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%v refused: %v", tt.args, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%v: error %v, want %q", tt.args, err, tt.want)
		}
	}
	if got := strings.Join(rec.Owned(), ","); got != "counter,list,mine" {
		t.Errorf("the run's keys: %s", got)
	}
}
