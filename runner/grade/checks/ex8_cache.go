package checks

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

type (
	lookupFunc = func(ctx context.Context, rdb *redis.Client, source, field string, ttl int) (string, error)
	updateFunc = func(ctx context.Context, rdb *redis.Client, source, field, value string, ttl int) error
)

// RuleAlwaysTTL is exercise 8's rule.
var RuleAlwaysTTL = Rule{
	Name: "set a cached copy and its time to live in one round trip",
	Why: "between a SET without a time to live and the EXPIRE that follows it in another round trip, " +
		"the copy has none; if the program stops there (a crash, a deploy, a timeout) the copy never " +
		"expires, and the cache serves it, stale, for ever. SET key value EX seconds leaves no such moment.",
}

func checkCache(t *T) {
	lookupFn := lookup[lookupFunc](t, "Lookup")
	update := lookup[updateFunc](t, "Update")
	source := t.key(fmt.Sprintf("users:%d", t.rnd.IntN(1000)))
	cacheKey := func(field string) string { return source + ":cache:" + field }
	records := map[string]string{}
	for i, w := range t.words(5, "user") {
		records[w] = fmt.Sprintf("%s@example.org (%d)", w, i)
	}
	fields := slices.Sorted(func(yield func(string) bool) {
		for f := range records {
			if !yield(f) {
				return
			}
		}
	})
	// An empty value is a value like any other: cached, and found there.
	empty := fmt.Sprintf("blank%d", t.rnd.IntN(1000))
	records[empty] = ""
	t.rdb.HSet(t.ctx, source, records)
	ttl := 30 + t.rnd.IntN(90)
	// On the embedded server the clock stands still until the check moves
	// it: a time to live is exact there.
	t.advance(0)

	get := func(field string, ttl int) (string, error) {
		var got string
		err := t.call("Lookup", []any{source, field, ttl}, func() (err error) {
			got, err = lookupFn(t.ctx, t.rdb, source, field, ttl)
			return err
		})
		return got, err
	}
	// reads counts the commands of the last call that read source.
	reads := func() int {
		cmds, _ := t.rec.sent()
		n := 0
		for _, c := range cmds {
			if c.key() == source && c.name != "hset" {
				n++
			}
		}
		return n
	}
	want := func(field, value string, got string, err error, hit bool) {
		t.noError("Lookup", err, "")
		if got != value {
			r := Result{Message: "Lookup returned the wrong value", Expected: quote(value), Got: quote(got),
				Hint: "on a miss, the value is HGET source field; the copy goes to source+\":cache:\"+field"}
			if hit {
				r.Message = "Lookup returned a stale value: Update changed it"
				r.Hint = "Update must leave the cache agreeing with source: SET the copy (with its time to live), or DEL it"
			}
			t.fail(r)
		}
		if hit && reads() > 0 {
			r := Result{
				Message:  "Lookup read source although the cache held a copy",
				Expected: "GET " + cacheKey(field) + " only",
				Sent:     t.sentLines(),
				Hint:     "GET the copy first; read source only when GET answers redis.Nil",
			}
			if value == "" {
				r.Message = "Lookup read source although the cache held a copy, of an empty value"
				r.Hint = "an empty string is a value: only redis.Nil from GET says there is no copy"
			}
			t.fail(r)
		}
	}

	// A miss, then a hit.
	f := fields[0]
	got, err := get(f, ttl)
	want(f, records[f], got, err, false)
	t.noTTLWindow("Lookup", cacheKey(f))
	t.copyIs("Lookup", cacheKey(f), records[f], ttl)
	got, err = get(f, ttl)
	want(f, records[f], got, err, true)

	// An empty value: a miss, then a hit.
	got, err = get(empty, ttl)
	want(empty, "", got, err, false)
	t.noTTLWindow("Lookup", cacheKey(empty))
	t.copyIs("Lookup", cacheKey(empty), "", ttl)
	got, err = get(empty, ttl)
	want(empty, "", got, err, true)

	// A field source does not have.
	_, err = get("nobody", ttl)
	if !isNil(err) {
		t.fail(Result{
			Message:  "Lookup of a field that source does not have did not return redis.Nil",
			Expected: "an error, errors.Is(err, redis.Nil)",
			Got:      show(err),
			Hint:     "HGET answers redis.Nil for a missing field: return that error (or wrap it with %w), and cache nothing",
		})
	}
	if n, _ := t.rdb.Exists(t.ctx, cacheKey("nobody")).Result(); n > 0 {
		t.fail(Result{Message: "Lookup cached a copy of a field that source does not have",
			Expected: "no key " + cacheKey("nobody"), Got: "the key exists",
			Hint: "return HGET's redis.Nil before SET: a missing record is not a value to cache"})
	}

	// Update a cached record, halfway through its copy's time to live
	// (the grader shortens it: a real server's clock cannot be moved), and
	// one not cached yet.
	t.rdb.Expire(t.ctx, cacheKey(fields[0]), time.Duration(ttl)*time.Second/2)
	for i, f := range []string{fields[0], fields[1]} {
		value := fmt.Sprintf("changed%d@example.org", i)
		err := t.call("Update", []any{source, f, value, ttl}, func() error { return update(t.ctx, t.rdb, source, f, value, ttl) })
		t.noError("Update", err, "")
		records[f] = value
		if v, _ := t.rdb.HGet(t.ctx, source, f).Result(); v != value {
			t.fail(Result{Message: "Update did not write the value into source", Expected: fmt.Sprintf("HGET %s %s is %s", source, f, quote(value)),
				Got: quote(v), Hint: "HSET source field value"})
		}
		t.noTTLWindow("Update", cacheKey(f))
		if old, err := t.rdb.Get(t.ctx, cacheKey(f)).Result(); err == nil && old != value {
			t.fail(Result{
				Message:  "Update left the old copy in the cache: Lookup would answer with a stale value",
				Expected: fmt.Sprintf("GET %s is %s, or no such key", cacheKey(f), quote(value)),
				Got:      quote(old),
				Hint:     "SET the copy too (with its time to live), in the same transaction as the HSET, or DEL it",
			})
		}
		// Either a copy of the new value, with a fresh time to live, or
		// none: the next Lookup reads source.
		cached := t.rdb.Exists(t.ctx, cacheKey(f)).Val() == 1
		if cached {
			t.copyIs("Update", cacheKey(f), value, ttl)
		}
		got, err = get(f, ttl)
		want(f, value, got, err, cached)
	}

	// The copy expires: after its time, Lookup reads source again. On a
	// real server the clock cannot be moved: a time to live of a second,
	// and a wait.
	f = fields[2]
	short := ttl
	if t.realServer() {
		short = 1
	}
	got, err = get(f, short)
	want(f, records[f], got, err, false)
	t.copyIs("Lookup", cacheKey(f), records[f], short)
	t.advance(time.Duration(short)*time.Second + 100*time.Millisecond)
	records[f] = "renamed@example.org"
	t.rdb.HSet(t.ctx, source, f, records[f])
	got, err = get(f, short)
	t.noError("Lookup", err, "")
	if got != records[f] {
		t.fail(Result{Message: fmt.Sprintf("Lookup answered from the cache %ds after a copy with a time to live of %ds was stored", short, short),
			Expected: quote(records[f]) + ", read from source", Got: quote(got),
			Hint: "the time to live is in seconds: rdb.Set(ctx, key, value, time.Duration(ttl)*time.Second)"})
	}
}

// copyIs checks the cached copy at key: value, with a time to live of
// ttl seconds: exactly on the embedded server, whose clock stands still
// while the check looks; on a real one, at most ttl and not much less.
func (t *T) copyIs(fn, key, value string, ttl int) {
	v, err := t.rdb.Get(t.ctx, key).Result()
	if err != nil {
		t.fail(Result{Message: fmt.Sprintf("%s left no copy of the value at %s", fn, key), Expected: quote(value), Got: show(err),
			Hint: "the copy is a string at source+\":cache:\"+field"})
	}
	if v != value {
		t.fail(Result{Message: fmt.Sprintf("%s left another value in the copy at %s", fn, key), Expected: quote(value), Got: quote(v),
			Hint: "the copy holds the value as source has it"})
	}
	d, _ := t.rdb.PTTL(t.ctx, key).Result()
	want := time.Duration(ttl) * time.Second
	slack := 2 * time.Second
	if t.clock != nil {
		slack = 0
	}
	switch {
	case d < 0:
		t.fail(Result{
			Message:  fmt.Sprintf("%s left the cached copy %s without a time to live", fn, key),
			Expected: fmt.Sprintf("TTL %s is %ds", key, ttl), Got: fmt.Sprintf("TTL %s is -1: it never expires", key),
			Hint: "rdb.Set(ctx, key, value, time.Duration(ttl)*time.Second) sends SET key value EX ttl; a duration of 0 " +
				"sends a plain SET, which also removes a time to live the key had",
		})
	case d > want || d < want-slack:
		r := Result{
			Message:  fmt.Sprintf("%s gave the cached copy a time to live of %s; asked %ds", fn, d.Round(time.Millisecond), ttl),
			Expected: fmt.Sprintf("TTL %s is %ds", key, ttl), Got: fmt.Sprintf("PTTL %s is %d ms", key, d.Milliseconds()),
			Hint: "ttl is in seconds: time.Duration(ttl)*time.Second",
		}
		if fn == "Update" && d < want && d >= want/3 {
			r.Message = fmt.Sprintf("%s left the cached copy with %s of its time to live; a write gives it a fresh one of %ds",
				fn, d.Round(time.Millisecond), ttl)
			r.Hint = "SET the copy with the time to live again (KEEPTTL keeps the old one), or DEL it"
		}
		t.fail(r)
	}
}

// noTTLWindow fails the call when it set key without a time to live and
// gave it one only in a later round trip. In one round trip (a pipeline,
// or a MULTI/EXEC transaction) both reach the server together: no stop of
// the program can come between them.
func (t *T) noTTLWindow(fn, key string) {
	cmds, _ := t.rec.sent()
	bare := -1 // the round trip of a SET of key without a time to live
	for _, c := range cmds {
		if c.key() != key {
			continue
		}
		switch c.name {
		case "set", "getset", "setnx", "mset":
			bare = -1
			if !hasTTLOption(c) {
				bare = c.trip
			}
		case "expire", "pexpire", "expireat", "pexpireat":
			if bare >= 0 && c.trip > bare {
				t.fail(Result{
					Message: fmt.Sprintf("broke a rule: %s (%s set %s without a time to live, and gave it one in a later round trip)",
						RuleAlwaysTTL.Name, fn, key),
					Rule: RuleAlwaysTTL.Name, Why: RuleAlwaysTTL.Why, Sent: t.sentLines(),
					Hint: "one command: rdb.Set(ctx, key, value, time.Duration(ttl)*time.Second)",
				})
			}
			bare = -1
		}
	}
}

func hasTTLOption(c sent) bool {
	for _, a := range c.args[2:] {
		switch strings.ToLower(fmt.Sprint(a)) {
		case "ex", "px", "exat", "pxat", "keepttl":
			return true
		}
	}
	return false
}
