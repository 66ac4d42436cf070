package embedded

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// client connects to s through memory, or over TCP with the given RESP
// protocol version when s listens.
func client(t testing.TB, s *Server, protocol int) *redis.Client {
	t.Helper()
	opt := &redis.Options{Protocol: protocol, DisableIdentity: true}
	if protocol == 3 {
		opt.Dialer = func(context.Context, string, string) (net.Conn, error) { return s.Dial() }
	} else {
		opt.Addr = s.Addr()
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}

func newServer(t *testing.T) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// scanAll follows the cursor to the end, returning every value and the
// number of calls it took.
func scanAll(t *testing.T, next func(cursor uint64) ([]string, uint64, error)) ([]string, int) {
	t.Helper()
	var all []string
	cursor, calls := uint64(0), 0
	for {
		page, c, err := next(cursor)
		if err != nil {
			t.Fatal(err)
		}
		calls++
		all = append(all, page...)
		if c == 0 {
			return all, calls
		}
		if calls > 10_000 {
			t.Fatal("the scan never ended")
		}
		cursor = c
	}
}

func TestScanPages(t *testing.T) {
	ctx := context.Background()
	for _, protocol := range []int{2, 3} {
		t.Run(fmt.Sprint("resp", protocol), func(t *testing.T) {
			s := newServer(t)
			rdb := client(t, s, protocol)
			for i := range 1000 {
				rdb.Set(ctx, fmt.Sprintf("k:%04d", i), i, 0)
			}
			rdb.Set(ctx, "other", 1, 0)

			page, cursor, err := rdb.Scan(ctx, 0, "", 5).Result()
			if err != nil || len(page) != 5 || cursor == 0 {
				t.Fatalf("first page of SCAN COUNT 5 = %d keys, cursor %d, %v; want 5 keys and a cursor", len(page), cursor, err)
			}

			keys, calls := scanAll(t, func(c uint64) ([]string, uint64, error) {
				return rdb.Scan(ctx, c, "k:*", 5).Result()
			})
			if calls < 200 {
				t.Errorf("SCAN COUNT 5 over 1001 keys took %d calls, want at least 200", calls)
			}
			slices.Sort(keys)
			if len(keys) != 1000 || len(slices.Compact(slices.Clone(keys))) != 1000 {
				t.Errorf("SCAN MATCH k:* returned %d keys (%d distinct), want each of 1000 once", len(keys), len(slices.Compact(slices.Clone(keys))))
			}
			if slices.Contains(keys, "other") {
				t.Error("SCAN MATCH k:* returned a key that does not match")
			}
		})
	}
}

func TestScanDefaultCountAndForgottenCursor(t *testing.T) {
	ctx := context.Background()
	s := newServer(t)
	rdb := client(t, s, 3)
	for i := range 25 {
		rdb.Set(ctx, strconv.Itoa(i), i, 0)
	}
	page, cursor, err := rdb.Scan(ctx, 0, "", 0).Result()
	if err != nil || len(page) != defaultScanCount || cursor == 0 {
		t.Fatalf("SCAN without COUNT = %d keys, cursor %d, %v; want %d and a cursor", len(page), cursor, err, defaultScanCount)
	}
	if page, c, err := rdb.Scan(ctx, 12345, "", 0).Result(); err != nil || len(page) != 0 || c != 0 {
		t.Errorf("SCAN of a cursor never given = %v, %d, %v; want an empty last page", page, c, err)
	}
}

func TestCollectionScans(t *testing.T) {
	ctx := context.Background()
	s := newServer(t)
	rdb := client(t, s, 3)

	small := map[string]any{}
	for i := range compactEntries {
		small[fmt.Sprint("f", i)] = i
	}
	rdb.HSet(ctx, "small", small)
	if page, cursor, err := rdb.HScan(ctx, "small", 0, "", 5).Result(); err != nil || cursor != 0 || len(page) != 2*compactEntries {
		t.Errorf("HSCAN of a %d-field hash = %d values, cursor %d, %v; want everything at once, as Redis's listpack does", compactEntries, len(page), cursor, err)
	}

	big := map[string]any{}
	for i := range 1000 {
		big[fmt.Sprint("f", i)] = fmt.Sprint("v", i)
	}
	rdb.HSet(ctx, "big", big)
	values, calls := scanAll(t, func(c uint64) ([]string, uint64, error) {
		return rdb.HScan(ctx, "big", c, "", 10).Result()
	})
	if calls < 100 || len(values) != 2000 {
		t.Errorf("HSCAN COUNT 10 of 1000 fields: %d calls, %d values; want at least 100 calls and 2000 values", calls, len(values))
	}
	for i := 0; i+1 < len(values); i += 2 {
		if "v"+values[i][1:] != values[i+1] {
			t.Fatalf("HSCAN paired field %q with value %q", values[i], values[i+1])
		}
	}

	var ints []any
	for i := range 300 {
		ints = append(ints, i)
	}
	rdb.SAdd(ctx, "ints", ints...)
	if page, cursor, err := rdb.SScan(ctx, "ints", 0, "", 5).Result(); err != nil || cursor != 0 || len(page) != 300 {
		t.Errorf("SSCAN of 300 integers = %d members, cursor %d, %v; want all at once (intset)", len(page), cursor, err)
	}
	var words []any
	for i := range 300 {
		words = append(words, fmt.Sprint("w", i))
	}
	rdb.SAdd(ctx, "words", words...)
	if members, calls := scanAll(t, func(c uint64) ([]string, uint64, error) {
		return rdb.SScan(ctx, "words", c, "w1*", 20).Result()
	}); calls != 15 || len(members) != 111 {
		t.Errorf("SSCAN MATCH w1* COUNT 20 of 300 members: %d calls, %d members; want 15 calls and 111 members", calls, len(members))
	}

	var zs []redis.Z
	for i := range 200 {
		zs = append(zs, redis.Z{Member: fmt.Sprint("m", i), Score: float64(i) + 0.5})
	}
	rdb.ZAdd(ctx, "board", zs...)
	scored, calls := scanAll(t, func(c uint64) ([]string, uint64, error) {
		return rdb.ZScan(ctx, "board", c, "", 50).Result()
	})
	if calls != 4 || len(scored) != 400 || scored[1] != "0.5" && scored[1] != "0.50000000000000000" {
		t.Errorf("ZSCAN COUNT 50 of 200 members: %d calls, %d values, first score %q", calls, len(scored), scored[1])
	}

	if err := rdb.HScan(ctx, "words", 0, "", 10).Err(); err == nil {
		t.Error("HSCAN of a set answered without an error; want WRONGTYPE")
	}
}

func TestScanInTransaction(t *testing.T) {
	ctx := context.Background()
	s := newServer(t)
	rdb := client(t, s, 3)
	for i := range 50 {
		rdb.Set(ctx, strconv.Itoa(i), i, 0)
	}
	var scan *redis.ScanCmd
	if _, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		scan = p.Scan(ctx, 0, "", 5)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if keys, _ := scan.Val(); len(keys) == 0 {
		t.Error("a SCAN queued in MULTI got no keys from EXEC")
	}
	if page, _, err := rdb.Scan(ctx, 0, "", 5).Result(); err != nil || len(page) != 5 {
		t.Errorf("SCAN after the transaction = %d keys, %v; want a page of 5", len(page), err)
	}
}

func TestTTLFollowsTheClock(t *testing.T) {
	ctx := context.Background()
	s := newServer(t)
	rdb := client(t, s, 3)

	start := time.Now()
	s.SetTime(start)
	rdb.Set(ctx, "token", "abc", 2*time.Second)
	s.SetTime(start.Add(1900 * time.Millisecond))
	if n := rdb.Exists(ctx, "token").Val(); n != 1 {
		t.Fatal("a key with a 2s TTL was gone after 1.9s")
	}
	s.SetTime(start.Add(2100 * time.Millisecond))
	if n := rdb.Exists(ctx, "token").Val(); n != 0 {
		t.Fatal("a key with a 2s TTL was still there after 2.1s")
	}
}

func TestTTLFollowsTheWallClock(t *testing.T) {
	ctx := context.Background()
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rdb := client(t, s, 3)
	rdb.Set(ctx, "brief", 1, 30*time.Millisecond)
	time.Sleep(60 * time.Millisecond)
	// Sleeping past the TTL is what a chapter cell does; nothing else moves
	// the clock here.
	if n := rdb.Exists(ctx, "brief").Val(); n != 0 {
		t.Fatal("a key with a 30ms TTL was still there 60ms later: the embedded clock does not move")
	}
}

func TestTTLRoundsAsRedisDoes(t *testing.T) {
	ctx := context.Background()
	s := newServer(t)
	rdb := client(t, s, 3)
	start := time.Now()
	s.SetTime(start)
	rdb.Set(ctx, "session", "ada", 10*time.Second)
	rdb.Set(ctx, "forever", "ada", 0)
	for _, c := range []struct {
		after time.Duration
		want  time.Duration
	}{{0, 10 * time.Second}, {time.Millisecond, 10 * time.Second}, {400 * time.Millisecond, 10 * time.Second}, {600 * time.Millisecond, 9 * time.Second}} {
		s.SetTime(start.Add(c.after))
		if got := rdb.TTL(ctx, "session").Val(); got != c.want {
			t.Errorf("TTL %v after SET EX 10 = %v, want %v (Redis rounds to the nearest second)", c.after, got, c.want)
		}
	}
	if got := rdb.TTL(ctx, "forever").Val(); got != -1 {
		t.Errorf("TTL of a key without one = %v, want -1", got)
	}
	if got := rdb.TTL(ctx, "missing").Val(); got != -2 {
		t.Errorf("TTL of a missing key = %v, want -2", got)
	}
}

// TestScriptWithTheClockRunning: a script's commands pass through the
// clock too, while the script holds the server; a tick then must not wait
// for the script to end (it used to hang the grader's EVAL for good).
func TestScriptWithTheClockRunning(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s := newServer(t)
	rdb := client(t, s, 3)
	rdb.Set(ctx, "armed", 1, time.Minute) // the clock ticks from now on
	// Long enough that ticks fall due while it runs.
	script := `local n = 0
for i = 1, 5000 do n = redis.call('INCR', KEYS[1]) end
redis.call('EXPIRE', KEYS[1], 60)
return n`
	for range 3 {
		time.Sleep(5 * time.Millisecond)
		if _, err := rdb.Eval(ctx, script, []string{"count"}).Result(); err != nil {
			t.Fatalf("EVAL with the clock running: %v", err)
		}
	}
	if n, err := rdb.Get(ctx, "count").Result(); n != "15000" {
		t.Errorf("count = %q (%v), want 15000", n, err)
	}
}
