package checks

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

type allowFunc = func(ctx context.Context, rdb *redis.Client, key string, limit, window int) (bool, error)

// RuleIncrWithExpire is exercise 10's rule.
var RuleIncrWithExpire = Rule{
	Name: "send INCR and EXPIRE together, in one round trip",
	Why: "an INCR whose EXPIRE follows in another round trip leaves a moment when the counter has no " +
		"time to live; if the program stops there (a crash, a deploy, a timeout), the counter never " +
		"resets, and the client is refused for ever. Sent together in MULTI/EXEC, both run or neither.",
}

func checkRateLimit(t *T) {
	allow := lookup[allowFunc](t, "Allow")
	limit := 3 + t.rnd.IntN(4)
	window := 20 + t.rnd.IntN(40)
	if t.realServer() {
		window = 2 // a real server's clock cannot be moved: the check waits
	}
	half := time.Duration(window) * time.Second / 2
	call := func(key string, want bool, nth int, starts bool) {
		var got bool
		err := t.call("Allow", []any{key, limit, window}, func() (err error) {
			got, err = allow(t.ctx, t.rdb, key, limit, window)
			return err
		})
		t.noError("Allow", err, "")
		t.incrWithExpire(key)
		t.counterTTL(key, window, starts)
		if got == want {
			return
		}
		r := Result{
			Expected: fmt.Sprint(want), Got: fmt.Sprint(got),
			Hint: "INCR answers the count with this call: allowed while it is at most limit",
		}
		switch {
		case want && nth > 0:
			r.Message = fmt.Sprintf("Allow refused call %d of a window; the limit is %d", nth, limit)
		case !want:
			r.Message = fmt.Sprintf("Allow allowed call %d of a window; the limit is %d", nth, limit)
		default:
			r.Message = "Allow still refused calls after the window ended: a refused call moved the window's end"
			r.Hint = "EXPIRE on every call puts the end off again each time; ExpireNX sets the time to live only when the window starts"
		}
		t.fail(r)
	}

	a := t.key(fmt.Sprintf("rate:%d", t.rnd.IntN(1000)))
	b := t.key(fmt.Sprintf("rate:%d", 1000+t.rnd.IntN(1000)))
	for i := 1; i <= limit; i++ {
		call(a, true, i, i == 1)
	}
	call(a, false, limit+1, false)
	call(b, true, 1, true) // another client has a count of its own
	t.advance(half)
	call(a, false, limit+2, false)
	t.advance(half + 200*time.Millisecond)
	call(a, true, 0, true) // a new window
	for i := 2; i <= limit; i++ {
		call(a, true, i, false)
	}
	call(a, false, limit+1, false)
}

// incrWithExpire fails the last call if it sent the counter's INCR and its
// EXPIRE in different round trips.
func (t *T) incrWithExpire(key string) {
	cmds, _ := t.rec.sent()
	incrTrip, expireTrip := -1, -1
	var shown []string
	for _, c := range cmds {
		if c.key() != key {
			continue
		}
		shown = append(shown, fmt.Sprintf("%s (round trip %d)", c, c.trip))
		switch c.name {
		case "incr", "incrby":
			incrTrip = c.trip
		case "expire", "pexpire", "expireat", "pexpireat":
			expireTrip = c.trip
		case "set":
			if hasTTLOption(c) {
				expireTrip = c.trip
			}
		}
	}
	if incrTrip >= 0 && expireTrip >= 0 && incrTrip != expireTrip {
		t.fail(Result{
			Message: "broke a rule: " + RuleIncrWithExpire.Name,
			Rule:    RuleIncrWithExpire.Name, Why: RuleIncrWithExpire.Why, Sent: shown,
			Hint: "rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error { pipe.Incr(…); pipe.ExpireNX(…); return nil })",
		})
	}
}

// counterTTL checks the counter's time to live after a call: there is
// one, at most the window, and all of it when the call started a window.
func (t *T) counterTTL(key string, window int, starts bool) {
	d, _ := t.rdb.PTTL(t.ctx, key).Result()
	w := time.Duration(window) * time.Second
	switch {
	case d < 0:
		t.fail(Result{
			Message:  "Allow left the counter without a time to live: it would never reset",
			Expected: fmt.Sprintf("TTL %s at most %ds", key, window),
			Got:      fmt.Sprintf("TTL %s is -1", key),
			Hint:     "EXPIRE the counter when its window starts, in the same round trip as the INCR: ExpireNX in rdb.TxPipelined",
		})
	case d > w || (starts && d < w-2*time.Second):
		t.fail(Result{
			Message:  fmt.Sprintf("Allow gave the counter a time to live of %s; the window is %ds", d.Round(time.Millisecond), window),
			Expected: fmt.Sprintf("TTL %s is %ds", key, window),
			Got:      fmt.Sprintf("PTTL %s is %d ms", key, d.Milliseconds()),
			Hint:     "window is in seconds: time.Duration(window)*time.Second",
		})
	}
}
