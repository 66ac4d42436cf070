package redisproxy

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/internal/needs"
)

// proxyDB is the database this package's real-server tests run in; like
// every test database it must be empty.
const proxyDB = 5

// seededDBs get a few keys of the tests' own, to prove they stay as they were.
var seededDBs = []int{0, 1, 2, 10}

func direct(t *testing.T, db int) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(needs.Redis(t, db))
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}

// serverState is everything of the server a run must leave alone: every
// key of the seeded databases (type, value, TTL), the server's role,
// requirepass, maxmemory and its policy, ACL users, function libraries.
func serverState(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, db := range seededDBs {
		c := direct(t, db)
		keys := c.Keys(ctx, "*").Val()
		sort.Strings(keys)
		for _, k := range keys {
			dump := c.Dump(ctx, k).Val()
			fmt.Fprintf(&b, "db%d %s %s %q ttl>0=%v\n", db, k, c.Type(ctx, k).Val(), dump, c.TTL(ctx, k).Val() > 0)
		}
	}
	c := direct(t, 0)
	fmt.Fprintf(&b, "role %v\n", c.Do(ctx, "ROLE").Val())
	for _, p := range []string{"requirepass", "maxmemory", "maxmemory-policy", "save", "appendonly"} {
		fmt.Fprintf(&b, "config %v\n", c.ConfigGet(ctx, p).Val())
	}
	fmt.Fprintf(&b, "acl users %v\n", c.Do(ctx, "ACL", "USERS").Val())
	fmt.Fprintf(&b, "functions %v\n", c.Do(ctx, "FUNCTION", "LIST").Val())
	return b.String()
}

// seed plants keys of the test's own in the seeded databases, with a
// library and a user, all removed afterwards; only names that are new.
func seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	tag := fmt.Sprintf("proxy-test-%d", time.Now().UnixNano())
	for _, db := range seededDBs {
		c := direct(t, db)
		mine := []string{tag + ":string", tag + ":list", tag + ":hash"}
		c.Set(ctx, mine[0], "somebody's value", time.Hour)
		c.RPush(ctx, mine[1], "a", "b")
		c.HSet(ctx, mine[2], "f", "v")
		t.Cleanup(func() { c.Del(ctx, mine...) })
	}
	c := direct(t, 0)
	lib := strings.ReplaceAll(tag, "-", "_")
	if err := c.FunctionLoad(ctx, "#!lua name="+lib+"\nredis.register_function('f_"+lib+"', function() return 1 end)").Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.FunctionDelete(ctx, lib) })
}

func start(t *testing.T, cfg Config) (*Proxy, *redis.Client) {
	t.Helper()
	if cfg.URL == "" {
		cfg.URL = needs.Redis(t, proxyDB)
	}
	if cfg.LeftoverDir == "" {
		cfg.LeftoverDir = t.TempDir()
	}
	p, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := redis.ParseURL(p.URL())
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close(); p.Close() })
	return p, c
}

func mustBeEmpty(t *testing.T) {
	t.Helper()
	if n := direct(t, proxyDB).DBSize(context.Background()).Val(); n != 0 {
		t.Fatalf("database %d must be empty for this test; it holds %d keys", proxyDB, n)
	}
}

// TestProxyRefusesAttacks sends every attack of issue 7 through the proxy,
// alone and in a pipeline, and proves the server unchanged.
func TestProxyRefusesAttacks(t *testing.T) {
	mustBeEmpty(t)
	seed(t)
	before := serverState(t)
	p, c := start(t, Config{})
	ctx := context.Background()
	attacks := [][]any{
		{"FLUSHALL"},
		{"FLUSHDB"},
		{"SWAPDB", 0, proxyDB},
		{"SELECT", 0},
		{"MOVE", "k", 0},
		{"COPY", "k", "k2", "DB", 0},
		{"EVAL", "redis.call('SELECT', 0); return redis.call('FLUSHDB')", 0},
		{"EVAL", "return redis.call('FLUSHALL')", 0},
		{"EVAL", "redis.call('SELECT', 0); return redis.call('KEYS', '*')", 0},
		{"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", 0},
		{"FCALL", "anything", 0},
		{"FUNCTION", "FLUSH"},
		{"FUNCTION", "DELETE", "somebody"},
		{"SCRIPT", "FLUSH"},
		{"CONFIG", "SET", "maxmemory", "1"},
		{"CONFIG", "SET", "maxmemory-policy", "allkeys-random"},
		{"CONFIG", "SET", "requirepass", "locked-out"},
		{"SHUTDOWN", "NOSAVE"},
		{"REPLICAOF", "127.0.0.1", "1"},
		{"SLAVEOF", "127.0.0.1", "1"},
		{"ACL", "SETUSER", "notebook-eve", "on", ">pw", "+@all", "~*"},
		{"CLIENT", "KILL", "TYPE", "normal"},
		{"SAVE"},
		{"BGSAVE"},
		{"INFO", "keyspace"},
		{"INFO"},
		{"DEBUG", "SLEEP", "0"},
	}
	p.cfg.Keep = false
	c.Set(ctx, "k", "v", 0) // something for MOVE and COPY to take
	for _, a := range attacks {
		err := c.Do(ctx, a...).Err()
		if err == nil || !strings.HasPrefix(err.Error(), "notebook: refusing") {
			t.Errorf("%v: %v, want a refusal", a, err)
		}
	}
	// The same in one pipeline, with allowed commands between them: each
	// reply comes back in its place.
	cmds, _ := c.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, a := range attacks {
			pipe.Set(ctx, fmt.Sprintf("p%d", i), i, 0)
			pipe.Do(ctx, a...)
		}
		return nil
	})
	for i, cmd := range cmds {
		err := cmd.Err()
		if i%2 == 0 && err != nil {
			t.Errorf("%v in the pipeline: %v", cmd.Args(), err)
		}
		if i%2 == 1 && (err == nil || !strings.Contains(err.Error(), "notebook: refusing")) {
			t.Errorf("%v in the pipeline: %v, want a refusal", cmd.Args(), err)
		}
	}
	if n := c.DBSize(ctx).Val(); n != int64(len(attacks)+1) {
		t.Errorf("DBSIZE = %d, want %d", n, len(attacks)+1)
	}
	if msg := p.Close(); msg != fmt.Sprintf("removed the %d keys this run created", len(attacks)+1) {
		t.Errorf("Close said %q", msg)
	}
	if after := serverState(t); after != before {
		t.Errorf("the server changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	mustBeEmpty(t)
}

// TestProxyDeletesOnlyWhatTheRunWrote: keys that another client creates
// during the run, and that the run only reads or passes as a value, stay;
// keys the run writes go, also when named by []byte.
func TestProxyDeletesOnlyWhatTheRunWrote(t *testing.T) {
	mustBeEmpty(t)
	ctx := context.Background()
	p, c := start(t, Config{})
	other := direct(t, proxyDB)
	other.Set(ctx, "theirs", "x", 0)
	other.Set(ctx, "theirs-too", "y", 0)
	t.Cleanup(func() { other.Del(ctx, "theirs", "theirs-too") })

	c.Get(ctx, "theirs")                    // read
	c.RPush(ctx, "mine:list", "theirs-too") // a value, not a key
	c.Set(ctx, string([]byte("mine:bytes")), "v", 0)
	c.Do(ctx, "SET", []byte("mine:raw"), []byte("v"))
	c.Exists(ctx, "theirs", "theirs-too")
	c.SUnionStore(ctx, "mine:union", "theirs-set-that-does-not-exist")

	if msg := p.Close(); msg != "removed the 3 keys this run created" {
		t.Errorf("Close said %q", msg)
	}
	left := other.Keys(ctx, "*").Val()
	sort.Strings(left)
	if strings.Join(left, ",") != "theirs,theirs-too" {
		t.Errorf("left %q, want only the other client's keys", left)
	}
}

// TestProxyAllowDirty: keys there before the run are never touched, by any
// command, however named.
func TestProxyAllowDirty(t *testing.T) {
	mustBeEmpty(t)
	ctx := context.Background()
	other := direct(t, proxyDB)
	other.Set(ctx, "before", "original", time.Hour)
	t.Cleanup(func() { other.Del(ctx, "before") })

	if _, err := Start(Config{URL: needs.Redis(t, proxyDB), LeftoverDir: t.TempDir()}); err == nil ||
		!strings.Contains(err.Error(), fmt.Sprintf("database %d already holds 1 key;", proxyDB)) {
		t.Fatalf("a database with a key: %v", err)
	}
	p, c := start(t, Config{AllowDirty: true})
	for _, a := range [][]any{
		{"SET", "before", "x"},
		{"SET", []byte("before"), "x"},
		{"DEL", "mine", []byte("before")},
		{"RENAME", "before", "mine"},
		{"EXPIRE", "before", 1},
		{"GET", "before"},
		{"EVAL", "return redis.call('DEL', KEYS[1])", 1, "before"},
		{"EVAL", "return redis.call('DEL', 'before')", 0},
		{"FLUSHDB"},
	} {
		if err := c.Do(ctx, a...).Err(); err == nil || !strings.Contains(err.Error(), "notebook: refusing") {
			t.Errorf("%v: %v, want a refusal", a, err)
		}
	}
	c.Set(ctx, "mine", "v", 0)
	if msg := p.Close(); msg != "removed the 1 key this run created" {
		t.Errorf("Close said %q", msg)
	}
	if v, ttl := other.Get(ctx, "before").Val(), other.TTL(ctx, "before").Val(); v != "original" || ttl <= 0 {
		t.Errorf("the key from before holds %q with TTL %v", v, ttl)
	}
}

// TestProxyAllowScripts: scripts run, their declared keys are cleaned up,
// and the note says what a script made without declaring.
func TestProxyAllowScripts(t *testing.T) {
	mustBeEmpty(t)
	ctx := context.Background()
	p, c := start(t, Config{AllowScripts: true})
	if err := c.Eval(ctx, "redis.call('SET', KEYS[1], 1); return redis.call('SET', 'undeclared', 1)", []string{"declared"}).Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { direct(t, proxyDB).Del(ctx, "undeclared") })
	msg := p.Close()
	if msg != "removed the 1 key this run created; 1 key appeared that no command of the run named (a script may have made them, or another client): left in place" {
		t.Errorf("Close said %q", msg)
	}
}

// TestLeftoverRecord: a run that dies before cleaning up (here: its
// record is left unlocked, as the kernel leaves it when the runner is
// killed) is named by the next run, and --clean-leftovers removes exactly
// its keys, not a key another client made since.
func TestLeftoverRecord(t *testing.T) {
	mustBeEmpty(t)
	ctx := context.Background()
	dir := t.TempDir()
	u := needs.Redis(t, proxyDB)
	p, c := start(t, Config{URL: u, LeftoverDir: dir, Label: "chapters/99-killed.md"})
	for i := range 50 {
		c.Set(ctx, fmt.Sprintf("left:%d", i), i, 0)
	}
	c.Get(ctx, "read-only")
	// The runner "dies": connections drop, its record stays, unlocked.
	c.Close()
	p.ln.Close()
	p.journal.release()
	other := direct(t, proxyDB)
	other.Set(ctx, "read-only", "another client's", 0)
	t.Cleanup(func() { other.Del(ctx, "read-only") })

	_, err := Start(Config{URL: u, LeftoverDir: dir})
	if err == nil || !strings.Contains(err.Error(), "already holds 51 keys") ||
		!strings.Contains(err.Error(), "A run of chapters/99-killed.md started ") ||
		!strings.Contains(err.Error(), "left 50 of them; pass --clean-leftovers") {
		t.Fatalf("error %v, want one naming the earlier run", err)
	}
	p2, err := Start(Config{URL: u, LeftoverDir: dir, CleanLeftovers: true, AllowDirty: true})
	if err != nil {
		t.Fatal(err)
	}
	if notes := p2.Notes(); len(notes) != 1 || !strings.HasPrefix(notes[0], "removed the 50 keys that a run of chapters/99-killed.md started") {
		t.Errorf("notes %q", notes)
	}
	p2.Close()
	if keys := other.Keys(ctx, "*").Val(); len(keys) != 1 || keys[0] != "read-only" {
		t.Errorf("left %q, want only the other client's key", keys)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("records left: %v", files)
	}
}

// TestStaleLeftoverRecord: a record whose keys are all gone (removed by
// hand) is forgotten, and --keep leaves the keys but no record.
func TestStaleLeftoverRecord(t *testing.T) {
	mustBeEmpty(t)
	ctx := context.Background()
	dir := t.TempDir()
	u := needs.Redis(t, proxyDB)
	p, c := start(t, Config{URL: u, LeftoverDir: dir, Keep: true})
	c.Set(ctx, "kept", 1, 0)
	if msg := p.Close(); msg != "kept the 1 key this run created" {
		t.Errorf("Close said %q", msg)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("--keep left records: %v", files)
	}
	direct(t, proxyDB).Del(ctx, "kept")

	p, c = start(t, Config{URL: u, LeftoverDir: dir})
	c.Set(ctx, "gone", 1, 0)
	c.Close()
	p.ln.Close()
	p.journal.release() // killed
	direct(t, proxyDB).Del(ctx, "gone")
	p2, err := Start(Config{URL: u, LeftoverDir: dir})
	if err != nil {
		t.Fatalf("an empty database with a stale record: %v", err)
	}
	p2.Close()
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("stale records kept: %v", files)
	}
}

// TestProxyLongPipeline sends a pipeline whose commands and replies are
// far larger than any socket buffer: go-redis writes it whole before it
// reads a reply, so a proxy that stopped reading commands while replies
// wait would deadlock.
func TestProxyLongPipeline(t *testing.T) {
	_, c := start(t, Config{AllowDirty: true})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	payload := strings.Repeat("x", 1024)
	done := make(chan error, 1)
	var cmds []redis.Cmder
	go func() {
		var err error
		cmds, err = c.Pipelined(ctx, func(p redis.Pipeliner) error {
			for range 20000 {
				p.Echo(ctx, payload)
			}
			p.Do(ctx, "FLUSHALL")
			p.Ping(ctx)
			return nil
		})
		done <- err
	}()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("the pipeline deadlocked")
	}
	if len(cmds) != 20002 || cmds[19999].(*redis.StringCmd).Val() != payload {
		t.Fatalf("%d replies", len(cmds))
	}
	if err := cmds[20000].Err(); err == nil || !strings.Contains(err.Error(), "refusing FLUSHALL") {
		t.Errorf("FLUSHALL in the pipeline: %v", err)
	}
	if cmds[20001].(*redis.StatusCmd).Val() != "PONG" {
		t.Errorf("the PING after it: %v", cmds[20001])
	}
}
