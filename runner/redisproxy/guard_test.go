package redisproxy

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/internal/needs"
	"github.com/redis-notebook/tutorial/runner/redisconn"
	"github.com/redis-notebook/tutorial/runner/resp"
)

// The two ways a run reaches the server: through the runner's proxy (the
// console), and from the chapter's program, whose connections run the
// guard themselves and append to the proxy's record.
var clientPaths = []string{"proxy", "program"}

// runClient returns a client of the run, by path, on a proxy that the
// test cleans up with p.Close.
func runClient(t *testing.T, p *Proxy, path string) *redis.Client {
	t.Helper()
	var opt *redis.Options
	if path == "proxy" {
		o, err := redis.ParseURL(p.URL())
		if err != nil {
			t.Fatal(err)
		}
		opt = o
	} else {
		opt = programOptions(t, p)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}

// programOptions are go-redis options as the chapter's program builds
// them (redisbackend's connectGuarded): straight to the server, every connection
// guarded, the record appended to the proxy's file.
func programOptions(t testing.TB, p *Proxy) *redis.Options {
	t.Helper()
	opt, err := redis.ParseURL(needs.Redis(t, p.DB()))
	if err != nil {
		t.Fatal(err)
	}
	existing, err := ReadExisting(p.ExistingPath())
	if err != nil {
		t.Fatal(err)
	}
	rec, err := OpenRecord(p.RecordPath(), existing)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rec.Close)
	policy := p.policy
	opt.DisableIdentity = true
	opt.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return NewConn(redisconn.SpinReads(nc), policy, rec), nil // as the chapter's program dials
	}
	return opt
}

func keysOf(t *testing.T, c *redis.Client) string {
	t.Helper()
	keys := c.Keys(context.Background(), "*").Val()
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// TestCleanupSparesOtherClientsKeys: a second client works in the run's
// database during the run; cleanup deletes exactly what the run's own
// commands created, whatever else the run's commands did to the other
// client's keys.
func TestCleanupSparesOtherClientsKeys(t *testing.T) {
	ctx := context.Background()
	for _, path := range clientPaths {
		t.Run(path, func(t *testing.T) {
			mustBeEmpty(t)
			other := direct(t, proxyDB)
			t.Cleanup(func() { other.FlushDB(ctx) }) // the test's database, empty before
			p, _ := start(t, Config{})
			c := runClient(t, p, path)
			do := func(args ...any) any {
				t.Helper()
				v, err := c.Do(ctx, args...).Result()
				if err != nil && err != redis.Nil {
					t.Fatalf("%v: %v", args, err)
				}
				return v
			}
			// Keys the other client made during the run, which the run then
			// used with commands that may create keys.
			other.Set(ctx, "o:nx", "theirs", 0)
			other.Set(ctx, "o:expire", "theirs", 0)
			other.HSet(ctx, "o:hash", "f", "theirs")
			other.RPush(ctx, "o:list", "theirs")
			other.Set(ctx, "o:rename-target", "theirs", 0)
			other.Set(ctx, "o:first", "theirs", 0)
			if v := do("SETNX", "o:nx", "mine"); v != int64(0) {
				t.Errorf("SETNX said %v", v)
			}
			do("SET", "o:nx", "mine", "NX")
			do("EXPIRE", "o:expire", 1000)
			do("HSET", "o:hash", "g", "mine")
			do("RPUSH", "o:list", "mine")
			do("SET", "r:src", "mine")
			do("RENAME", "r:src", "o:rename-target") // onto the other's key: it stays theirs
			do("SET", "o:first", "mine")             // they made it first: theirs
			do("MSET", "o:first", "mine", "r:mset", "mine")

			// Keys the run made: the run's, even once the other client has
			// written to them too.
			do("SET", "r:string", "mine")
			do("RPUSH", "r:list", "a", "b")
			do("HSET", "r:hash", "f", "v")
			do("INCR", "r:counter")
			other.Set(ctx, "r:string", "theirs now", 0) // both wrote it: the run made it
			// Keys the run made and deleted, which the other client then made.
			do("SET", "r:deleted", "mine")
			do("DEL", "r:deleted")
			other.Set(ctx, "r:deleted", "theirs", 0)
			do("RPUSH", "r:popped", "x")
			do("LPOP", "r:popped") // the list is empty, and so gone
			other.RPush(ctx, "r:popped", "theirs")
			do("SET", "r:moved", "mine")
			do("RENAME", "r:moved", "r:moved-to")
			other.Set(ctx, "r:moved", "theirs", 0)

			if msg := p.Close(); msg != "removed the 6 keys this run created" {
				t.Errorf("Close said %q", msg)
			}
			want := "o:expire,o:first,o:hash,o:list,o:nx,o:rename-target,r:deleted,r:moved,r:popped"
			if got := keysOf(t, other); got != want {
				t.Errorf("left %s\nwant %s", got, want)
			}
			if v := other.Get(ctx, "o:nx").Val(); v != "theirs" {
				t.Errorf("o:nx holds %q", v)
			}
		})
	}
}

// TestConsoleFollowsTheProgram: the runner's console and the chapter's
// program share one record; the console knows the keys the program made,
// and what it does to them counts.
func TestConsoleFollowsTheProgram(t *testing.T) {
	ctx := context.Background()
	mustBeEmpty(t)
	other := direct(t, proxyDB)
	t.Cleanup(func() { other.FlushDB(ctx) })
	p, console := start(t, Config{})
	program := runClient(t, p, "program")
	program.RPush(ctx, "f:emptied", "a")
	program.Set(ctx, "f:kept", "a", 0)
	program.Set(ctx, "f:deleted", "a", 0)
	if v := console.LPop(ctx, "f:emptied").Val(); v != "a" {
		t.Fatalf("LPOP said %q", v)
	}
	console.Append(ctx, "f:kept", "b")
	console.Del(ctx, "f:deleted")
	other.RPush(ctx, "f:emptied", "theirs")
	other.Set(ctx, "f:deleted", "theirs", 0)
	if msg := p.Close(); msg != "removed the 1 key this run created" {
		t.Errorf("Close said %q", msg)
	}
	if got := keysOf(t, other); got != "f:deleted,f:emptied" {
		t.Errorf("left %s", got)
	}
}

// TestTransactionsAndWatch: the guard's EXISTS inside the client's own
// MULTI are stripped from EXEC's reply; a refused command makes EXEC
// answer EXECABORT, as Redis does, and nothing of the transaction runs; a
// client that WATCHes keys keeps its WATCH, and a key it writes meanwhile
// is left (named, never deleted) since the guard could not watch it being
// created.
func TestTransactionsAndWatch(t *testing.T) {
	ctx := context.Background()
	for _, path := range clientPaths {
		t.Run(path, func(t *testing.T) {
			mustBeEmpty(t)
			other := direct(t, proxyDB)
			t.Cleanup(func() { other.FlushDB(ctx) })
			p, _ := start(t, Config{})
			c := runClient(t, p, path)

			other.Set(ctx, "o:theirs", "x", 0)
			cmds, err := c.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
				pipe.Set(ctx, "t:a", "1", 0)
				pipe.Incr(ctx, "t:a")
				pipe.SetNX(ctx, "o:theirs", "mine", 0)
				pipe.RPush(ctx, "t:list", "a", "b")
				return nil
			})
			if err != nil || len(cmds) != 4 || cmds[1].(*redis.IntCmd).Val() != 2 ||
				cmds[2].(*redis.BoolCmd).Val() || cmds[3].(*redis.IntCmd).Val() != 2 {
				t.Fatalf("transaction: %v %v", cmds, err)
			}

			_, err = c.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
				pipe.Set(ctx, "t:aborted", "1", 0)
				pipe.Do(ctx, "FLUSHALL")
				pipe.Set(ctx, "t:aborted-too", "1", 0)
				return nil
			})
			if err == nil || !strings.HasPrefix(err.Error(), "EXECABORT") {
				t.Errorf("a transaction with a refused command: %v, want EXECABORT", err)
			}
			if n := other.Exists(ctx, "t:aborted", "t:aborted-too").Val(); n != 0 {
				t.Errorf("%d keys of the aborted transaction exist", n)
			}

			// WATCH: a change by another client still fails the EXEC.
			err = c.Watch(ctx, func(tx *redis.Tx) error {
				tx.Get(ctx, "o:theirs")
				tx.Set(ctx, "t:while-watching", "1", 0) // not in MULTI: the guard cannot wrap it
				other.Set(ctx, "o:theirs", "changed", 0)
				_, err := tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
					pipe.Set(ctx, "t:watched", "1", 0)
					return nil
				})
				return err
			}, "o:theirs")
			if err != redis.TxFailedErr {
				t.Errorf("EXEC after a watched key changed: %v, want %v", err, redis.TxFailedErr)
			}
			// Without interference, the watched transaction runs.
			err = c.Watch(ctx, func(tx *redis.Tx) error {
				_, err := tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
					pipe.Set(ctx, "t:watched", "1", 0)
					return nil
				})
				return err
			}, "o:theirs")
			if err != nil {
				t.Errorf("a watched transaction: %v", err)
			}

			msg := p.Close()
			if !strings.HasPrefix(msg, "removed the 3 keys this run created; left 1 key whose creation the run did not see") ||
				!strings.Contains(msg, `"t:while-watching"`) {
				t.Errorf("Close said %q", msg)
			}
			if got := keysOf(t, other); got != "o:theirs,t:while-watching" {
				t.Errorf("left %s", got)
			}
		})
	}
}

// TestExpiredKeyMadeAgain: a key the run gave a time to live may expire
// and be made again by another client; past its deadline it is no longer
// counted as the run's.
func TestExpiredKeyMadeAgain(t *testing.T) {
	ctx := context.Background()
	for _, path := range clientPaths {
		t.Run(path, func(t *testing.T) {
			mustBeEmpty(t)
			other := direct(t, proxyDB)
			t.Cleanup(func() { other.FlushDB(ctx) })
			p, _ := start(t, Config{})
			c := runClient(t, p, path)
			c.Set(ctx, "e:px", "mine", 100*time.Millisecond)
			c.Set(ctx, "e:expire", "mine", 0)
			c.PExpire(ctx, "e:expire", 100*time.Millisecond)
			c.Set(ctx, "e:long", "mine", time.Hour)
			time.Sleep(300 * time.Millisecond)
			other.Set(ctx, "e:px", "theirs", 0)
			other.Set(ctx, "e:expire", "theirs", 0)
			msg := p.Close()
			if !strings.HasPrefix(msg, "removed the 1 key this run created; left 2 keys whose creation") {
				t.Errorf("Close said %q", msg)
			}
			if got := keysOf(t, other); got != "e:expire,e:px" {
				t.Errorf("left %s", got)
			}
		})
	}
}

// TestSortPatternsBesideOthersKeys: under --allow-dirty a SORT whose BY or
// GET pattern can name a key from before the run is refused, STORE or not.
func TestSortPatternsBesideOthersKeys(t *testing.T) {
	ctx := context.Background()
	mustBeEmpty(t)
	other := direct(t, proxyDB)
	other.Set(ctx, "weight_1", "5", 0)
	other.HSet(ctx, "obj_2", "f", "secret")
	t.Cleanup(func() { other.Del(ctx, "weight_1", "obj_2") })
	for _, path := range clientPaths {
		t.Run(path, func(t *testing.T) {
			p, _ := start(t, Config{AllowDirty: true})
			c := runClient(t, p, path)
			c.RPush(ctx, "s:list", "1", "2")
			for _, a := range [][]any{
				{"SORT", "s:list", "BY", "weight_*"},
				{"SORT", "s:list", "GET", "obj_*->f"},
				{"SORT", "s:list", "BY", "nosort", "GET", "#", "GET", "weight_*", "STORE", "s:copy"},
				{"SORT_RO", "s:list", "BY", "*ght_1"},
			} {
				if err := c.Do(ctx, a...).Err(); err == nil || !strings.Contains(err.Error(), "notebook: refusing") {
					t.Errorf("%v: %v, want a refusal", a, err)
				}
			}
			for _, a := range [][]any{
				{"SORT", "s:list"},
				{"SORT", "s:list", "BY", "nosort", "GET", "#"},
				{"SORT", "s:list", "BY", "s:w_*", "GET", "s:o_*->f", "STORE", "s:copy"},
			} {
				if err := c.Do(ctx, a...).Err(); err != nil {
					t.Errorf("%v: %v", a, err)
				}
			}
			if msg := p.Close(); msg != "removed the 2 keys this run created" {
				t.Errorf("Close said %q", msg)
			}
		})
	}
}

// TestKilledBetweenCommandAndRecord: the chapter's program is SIGKILLed
// after sending commands that may create keys and before reading their
// replies. Whose those keys are is unknown: neither the runner's cleanup
// nor --clean-leftovers deletes them; both name them.
func TestKilledBetweenCommandAndRecord(t *testing.T) {
	if os.Getenv("GUARD_TEST_PROGRAM") != "" {
		killedProgram()
		return
	}
	ctx := context.Background()
	mustBeEmpty(t)
	other := direct(t, proxyDB)
	t.Cleanup(func() { other.FlushDB(ctx) })
	dir := t.TempDir()
	u := needs.Redis(t, proxyDB)
	for _, ending := range []string{"runner cleans up", "runner killed too"} {
		t.Run(ending, func(t *testing.T) {
			p, err := Start(Config{URL: u, LeftoverDir: dir, Label: "chapters/killed.md"})
			if err != nil {
				t.Fatal(err)
			}
			c := runClient(t, p, "program")
			c.Set(ctx, "k:made", "mine", 0) // seen: the run's
			cmd := exec.Command(os.Args[0], "-test.run", "^TestKilledBetweenCommandAndRecord$")
			cmd.Env = append(os.Environ(), "GUARD_TEST_PROGRAM="+p.RecordPath(), "GUARD_TEST_URL="+u)
			out, err := cmd.CombinedOutput()
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("the program was not killed: %v\n%s", err, out)
			}
			for _, k := range []string{"k:unseen", "k:unseen-list", "k:unseen-hash"} {
				if other.Exists(ctx, k).Val() != 1 {
					t.Fatalf("the killed program's command did not make %s", k)
				}
			}
			if ending == "runner cleans up" {
				msg := p.Close()
				if !strings.HasPrefix(msg, "removed the 1 key this run created; left 3 keys whose creation the run did not see") ||
					!strings.Contains(msg, `"k:unseen"`) {
					t.Errorf("Close said %q", msg)
				}
			} else {
				c.Close()
				p.ln.Close()
				p.journal.release() // the runner killed: its record stays
				_, err := Start(Config{URL: u, LeftoverDir: dir})
				if err == nil || !strings.Contains(err.Error(), "left 1 of them; pass --clean-leftovers") ||
					!strings.Contains(err.Error(), "may also have made 3 keys of them, but was stopped before it saw whether it did") {
					t.Fatalf("error %v", err)
				}
				p2, err := Start(Config{URL: u, LeftoverDir: dir, CleanLeftovers: true, AllowDirty: true})
				if err != nil {
					t.Fatal(err)
				}
				notes := strings.Join(p2.Notes(), "; ")
				if !strings.HasPrefix(notes, "removed the 1 key that a run of chapters/killed.md started") ||
					!strings.Contains(notes, "left 3 keys whose creation the run did not see") {
					t.Errorf("notes %q", notes)
				}
				p2.Close()
			}
			if got := keysOf(t, other); got != "k:unseen,k:unseen-hash,k:unseen-list" {
				t.Errorf("left %s", got)
			}
			other.Del(ctx, "k:unseen", "k:unseen-list", "k:unseen-hash")
		})
	}
}

// killedProgram is the chapter's program of TestKilledBetweenCommandAndRecord:
// it sends commands through its guard, waits until the server has run them,
// and is killed before it reads their replies.
func killedProgram() {
	rec, err := OpenRecord(os.Getenv("GUARD_TEST_PROGRAM"), nil)
	if err != nil {
		panic(err)
	}
	u, _ := redis.ParseURL(os.Getenv("GUARD_TEST_URL"))
	nc, err := net.Dial("tcp", u.Addr)
	if err != nil {
		panic(err)
	}
	c := NewConn(nc, Policy{DB: u.DB}, rec)
	w := bufio.NewWriter(c)
	for _, args := range [][][]byte{
		{[]byte("SELECT"), []byte(strconv.Itoa(u.DB))},
		{[]byte("SET"), []byte("k:unseen"), []byte("v")},
		{[]byte("RPUSH"), []byte("k:unseen-list"), []byte("v")},
		{[]byte("HSET"), []byte("k:unseen-hash"), []byte("f"), []byte("v")},
	} {
		resp.WriteCommand(w, args)
	}
	w.Flush()
	check := redis.NewClient(&redis.Options{Addr: u.Addr, DB: u.DB})
	for check.Exists(context.Background(), "k:unseen-hash").Val() == 0 {
		time.Sleep(time.Millisecond)
	}
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
}

// TestLongCommandInPieces: one HSET of many fields, which go-redis writes
// to the connection in many pieces, reaches the server whole and once, and
// its key is the run's.
func TestLongCommandInPieces(t *testing.T) {
	ctx := context.Background()
	mustBeEmpty(t)
	p, _ := start(t, Config{})
	c := runClient(t, p, "program")
	fields := make(map[string]any, 50_000)
	for i := range 50_000 {
		fields[fmt.Sprintf("field:%05d", i)] = strings.Repeat("v", i%97)
	}
	if n, err := c.HSet(ctx, "pieces", fields).Result(); n != 50_000 || err != nil {
		t.Fatalf("HSET of 50000 fields: %d, %v", n, err)
	}
	if n, err := c.HLen(ctx, "pieces").Result(); n != 50_000 || err != nil {
		t.Fatalf("HLEN: %d, %v", n, err)
	}
	if v, err := c.HGet(ctx, "pieces", "field:49999").Result(); v != strings.Repeat("v", 49999%97) || err != nil {
		t.Fatalf("HGET field:49999: %q, %v", v, err)
	}
	if msg := p.Close(); !strings.HasPrefix(msg, "removed the 1 key this run created") {
		t.Errorf("Close said %q", msg)
	}
}
