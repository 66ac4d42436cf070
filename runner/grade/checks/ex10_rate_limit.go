package checks

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/term"
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
	// On the embedded server the clock stands still until the check moves
	// it: a time to live is exact there.
	t.advance(0)
	w := time.Duration(window) * time.Second
	// Another server of the API, on a connection of its own that the
	// recorder does not watch, counts a call of its own just before one of
	// the learner's round trips that writes: between a read and a write, a
	// read-then-write limiter lets both calls take the last place.
	other := t.otherClient()
	defer other.Close()
	counts := map[string]int{} // the calls of the window at each key, everyone's
	call := func(key string, want bool, nth int, starts bool) {
		var got bool
		err := t.call("Allow", []any{key, limit, window}, func() (err error) {
			got, err = allow(t.ctx, t.rdb, key, limit, window)
			return err
		})
		t.noError("Allow", err, "")
		counts[key]++
		t.incrWithExpire(key)
		t.counterTTL(key, window, starts)
		if got == want {
			t.counterIs(key, counts[key], limit)
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
	// meanwhile makes the other server's call come in during the
	// learner's next call, and checks the learner's answer to it.
	meanwhile := func(key string) {
		took := make(chan bool, 1) // handed back from the goroutine serving the learner's round trip
		t.rec.arm(beforeWrite(key), func() {
			var n *redis.IntCmd
			other.TxPipelined(context.Background(), func(p redis.Pipeliner) error {
				n = p.Incr(context.Background(), key)
				p.ExpireNX(context.Background(), key, w)
				return nil
			})
			took <- n.Val() <= int64(limit)
		}, 1)
		var got bool
		err := t.call("Allow", []any{key, limit, window}, func() (err error) {
			got, err = allow(t.ctx, t.rdb, key, limit, window)
			return err
		})
		t.rec.arm(nil, nil, 0)
		t.noError("Allow", err, "")
		counts[key]++
		select {
		case <-took:
			counts[key]++
		default:
			t.fail(Result{Message: "Allow wrote nothing to the counter", Expected: "INCR " + key, Sent: t.sentLines(),
				Hint: "INCR counts on the server"})
		}
		t.counterIs(key, counts[key], limit)
		if got && counts[key] > limit {
			t.fail(Result{
				Message: fmt.Sprintf("Allow allowed call %d of a window; the limit is %d (another server's call came in while it ran, just before its write, and took the last place)",
					counts[key], limit),
				Expected: "false", Got: "true",
				Sent: t.sentLines(),
				Hint: "decide on the count INCR answers with this call, allowed while it is at most limit, not on a read before: " +
					"INCR counts and reads in one step, which no other client's call can come between",
			})
		}
	}

	a := t.key(fmt.Sprintf("rate:%d", t.rnd.IntN(1000)))
	b := t.key(fmt.Sprintf("rate:%d", 1000+t.rnd.IntN(1000)))
	for i := 1; i < limit; i++ {
		call(a, true, i, i == 1)
	}
	meanwhile(a) // the other server takes the last place
	call(a, false, limit+2, false)
	call(b, true, 1, true) // another client has a count of its own
	t.advance(w / 2)
	call(a, false, limit+3, false)
	t.advance(w/2 + 200*time.Millisecond)
	counts[a] = 0
	call(a, true, 0, true) // a new window
	for i := 2; i <= limit; i++ {
		call(a, true, i, false)
	}
	call(a, false, limit+1, false)
}

// counterIs checks the counter after a call: every call of the window
// counted, the denied ones too.
func (t *T) counterIs(key string, want, limit int) {
	v, err := t.rdb.Get(t.ctx, key).Result()
	if err == nil && v == strconv.Itoa(want) {
		return
	}
	got := quote(v)
	if err != nil {
		got = show(err)
	}
	r := Result{
		Message:  fmt.Sprintf("Allow left the counter at %s after %s in the window", got, term.Plural(want, "call")),
		Expected: fmt.Sprintf("GET %s is %d", key, want),
		Got:      got,
		Hint:     "INCR on every call, allowed or not: denied calls count too",
	}
	if n, err := strconv.Atoi(v); err == nil && n < want && want > limit {
		r.Message = fmt.Sprintf("Allow did not count every call: the counter is at %d after %s in the window, %d of them denied",
			n, term.Plural(want, "call"), want-limit)
	}
	t.fail(r)
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
	slack := 2 * time.Second // a real server's clock runs on
	if t.clock != nil {
		slack = 0
	}
	switch {
	case d < 0:
		t.fail(Result{
			Message:  "Allow left the counter without a time to live: it would never reset",
			Expected: fmt.Sprintf("TTL %s at most %ds", key, window),
			Got:      fmt.Sprintf("TTL %s is -1", key),
			Hint:     "EXPIRE the counter when its window starts, in the same round trip as the INCR: ExpireNX in rdb.TxPipelined",
		})
	case d > w || (starts && d < w-slack):
		t.fail(Result{
			Message:  fmt.Sprintf("Allow gave the counter a time to live of %s; the window is %ds", d.Round(time.Millisecond), window),
			Expected: fmt.Sprintf("TTL %s is %ds", key, window),
			Got:      fmt.Sprintf("PTTL %s is %d ms", key, d.Milliseconds()),
			Hint:     "window is in seconds: time.Duration(window)*time.Second",
		})
	}
}
