package notebook_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/internal/needs"
	"github.com/redis-notebook/tutorial/runner/notebook"
	"github.com/redis-notebook/tutorial/runner/settings"
)

// serverURL returns $REDIS_URL with its database set to db.
func serverURL(t *testing.T, db int) string { return needs.Redis(t, db) }

// The databases these tests use; other packages' tests use others.
const (
	runDB   = 9
	dirtyDB = 8
)

var seededDBs = []int{0, 1, 2, 10}

func client(t *testing.T, url string) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}

// snapshot returns every key of the client's database with its type,
// value and whether it has a TTL.
func snapshot(t *testing.T, c *redis.Client) map[string]string {
	t.Helper()
	ctx := context.Background()
	keys, err := c.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	snap := map[string]string{}
	for _, k := range keys {
		typ := c.Type(ctx, k).Val()
		var val string
		switch typ {
		case "string":
			val = c.Get(ctx, k).Val()
		case "list":
			val = strings.Join(c.LRange(ctx, k, 0, -1).Val(), ",")
		case "hash":
			val = fmt.Sprint(c.HGetAll(ctx, k).Val())
		}
		snap[k] = fmt.Sprintf("%s %s ttl=%v", typ, val, c.TTL(ctx, k).Val() > 0)
	}
	return snap
}

// TestServerRunTouchesOnlyItsDatabase seeds keys in several databases,
// runs a chapter in another, and proves every seeded key unchanged and the
// run's own database empty again afterwards.
func TestServerRunTouchesOnlyItsDatabase(t *testing.T) {
	ctx := context.Background()
	url := serverURL(t, runDB)
	if n := client(t, url).DBSize(ctx).Val(); n != 0 {
		t.Fatalf("database %d must be empty for this test; it holds %d keys", runDB, n)
	}
	before := map[int]map[string]string{}
	for _, db := range seededDBs {
		c := client(t, serverURL(t, db))
		// Keys of our own, and the very key the chapter sets, created
		// only if absent so that a developer's data is never overwritten;
		// each is deleted afterwards by name.
		tag := fmt.Sprintf("notebook-test-%d", time.Now().UnixNano())
		mine := []string{tag + ":string", tag + ":list", tag + ":hash"}
		c.Set(ctx, mine[0], "somebody's value", 0)
		c.RPush(ctx, mine[1], "a", "b")
		c.HSet(ctx, mine[2], "f", "v")
		if c.SetNX(ctx, "greeting", "somebody's greeting", time.Hour).Val() {
			mine = append(mine, "greeting")
		}
		t.Cleanup(func() { c.Del(ctx, mine...) })
		before[db] = snapshot(t, c)
	}

	res, err := run(t, "testdata/basics.md", notebook.Options{Run: settings.Run{RedisURL: url}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Cells[0].Output; got != "get greeting: hello\n" {
		t.Errorf("cell 1 printed %q", got)
	}
	if got := res.Cells[4].Output; got != "only on a real server\n" {
		t.Errorf("cell 5 printed %q", got)
	}
	if !strings.Contains(res.Addr, fmt.Sprintf("database %d", runDB)) {
		t.Errorf("address %q does not name database %d", res.Addr, runDB)
	}
	for _, db := range seededDBs {
		after := snapshot(t, client(t, serverURL(t, db)))
		for k, v := range before[db] {
			if after[k] != v {
				t.Errorf("database %d, key %q: %s before the run, %s after", db, k, v, after[k])
			}
		}
	}
	if n := client(t, url).DBSize(ctx).Val(); n != 0 {
		t.Errorf("the run left %d keys in database %d", n, runDB)
	}
	if !strings.Contains(res.Cleaned, "removed the 1 key this run created") {
		t.Errorf("cleanup said %q", res.Cleaned)
	}
}

func TestServerRefusesADatabaseWithKeys(t *testing.T) {
	ctx := context.Background()
	url := serverURL(t, dirtyDB)
	c := client(t, url)
	c.Set(ctx, "theirs", "original", 0)
	t.Cleanup(func() { c.Del(ctx, "theirs") })

	_, err := run(t, "testdata/dirty.md", notebook.Options{Run: settings.Run{RedisURL: url}})
	var be *notebook.BackendError
	if !errors.As(err, &be) || !strings.Contains(be.Msg, fmt.Sprintf("database %d already holds 1 key;", dirtyDB)) {
		t.Fatalf("error %v, want a refusal naming the database", err)
	}

	// With --allow-dirty it runs, but still never touches that key.
	res, err := run(t, "testdata/dirty.md", notebook.Options{Run: settings.Run{RedisURL: url, AllowDirty: true}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Cells[0].Output; !strings.Contains(got, `refusing SET: key "theirs" was in the database before this run`) {
		t.Errorf("overwriting an existing key printed %q", got)
	}
	if got := res.Cells[2].Output; !strings.Contains(got, "refusing FLUSHDB") {
		t.Errorf("FLUSHDB printed %q", got)
	}
	if v := c.Get(ctx, "theirs").Val(); v != "original" {
		t.Errorf("their key holds %q", v)
	}
	if n := c.Exists(ctx, "mine").Val(); n != 0 {
		t.Errorf("the key the run created was not removed")
	}
}
