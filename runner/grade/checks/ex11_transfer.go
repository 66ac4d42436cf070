package checks

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/term"
)

type transferFunc = func(ctx context.Context, rdb *redis.Client, from, to string, amount int) error

// The other client's interference in exercise 11.
const (
	// whileRetries is how many attempts in a row another client spoils
	// before it lets a transfer through: a bounded retry of 10 gets there.
	whileRetries = 3
	// sustained is how long it keeps at it when it never stops: a
	// bounded retry gives up before, an unbounded one would go on.
	sustained = 25
)

// A change is another client's change to a balance.
type change struct {
	key   string
	delta int
}

func checkTransfer(t *T) {
	transfer := lookup[transferFunc](t, "Transfer")
	// Another client, on connections of its own that the recorder does
	// not watch: it changes a balance between the learner's read and
	// write, and looks at the balances between the learner's round trips.
	other := t.otherClient()
	defer other.Close()
	bg := context.Background()

	from := t.key(fmt.Sprintf("balance:%d", t.rnd.IntN(1000)))
	to := t.key(fmt.Sprintf("balance:%d", 1000+t.rnd.IntN(1000)))
	balances := map[string]int{}
	set := func(f, tt int) {
		balances[from], balances[to] = f, tt
		t.rdb.Set(t.ctx, from, f, 0)
		t.rdb.Set(t.ctx, to, tt, 0)
	}
	set(100+t.rnd.IntN(100), t.rnd.IntN(50))
	call := func(amount int) error {
		return t.call("Transfer", []any{from, to, amount}, func() error { return transfer(t.ctx, t.rdb, from, to, amount) })
	}
	// Changes are made on the goroutine serving the learner's round
	// trip; they are handed back here through changed.
	changed := make(chan change, 2*sustained)
	meanwhile := func(key string, delta int) func() {
		return func() {
			other.IncrBy(bg, key, int64(delta))
			changed <- change{key, delta}
		}
	}
	// interfered counts the changes made during the last call, and adds
	// them to the balances expected.
	interfered := func() int {
		n := 0
		for {
			select {
			case c := <-changed:
				balances[c.key] += c.delta
				n++
			default:
				return n
			}
		}
	}
	// No write that makes a balance negative may reach the server, even
	// one undone later: between the learner's round trips, others see it.
	var mu sync.Mutex
	var overdrawn []string
	t.rec.watchTrips(func() {
		v, err := other.MGet(bg, from, to).Result()
		if err != nil {
			return
		}
		for i, key := range []string{from, to} {
			if s, ok := v[i].(string); ok {
				if n, err := strconv.Atoi(s); err == nil && n < 0 {
					mu.Lock()
					overdrawn = append(overdrawn, fmt.Sprintf("%s = %d", key, n))
					mu.Unlock()
				}
			}
		}
	})
	defer t.rec.watchTrips(nil)
	neverNegative := func(when string) {
		mu.Lock()
		seen := slices.Clone(overdrawn)
		mu.Unlock()
		if len(seen) == 0 {
			return
		}
		t.fail(Result{
			Message: fmt.Sprintf("Transfer overdrew a balance on the server (%s), even if only for a moment: other clients saw it (%s)",
				seen[0], when),
			Expected: "no balance below 0 after any of its round trips",
			Got:      seen[0],
			Sent:     t.sentLines(),
			Hint: "check the balance before writing, and write with WATCH and MULTI/EXEC, so that the write happens " +
				"only when the balance covers it; a DECRBY undone later has already been seen",
		})
	}
	attempt := func(amount int) (int, error) {
		err := call(amount)
		t.rec.arm(nil, nil, 0)
		return interfered(), err
	}

	// A plain transfer.
	amount := 10 + t.rnd.IntN(30)
	_, err := attempt(amount)
	t.noError("Transfer", err, "")
	balances[from] -= amount
	balances[to] += amount
	t.balancesAre("Transfer", from, to, balances, "")
	neverNegative("a plain transfer")

	// More than from holds: an error, and nothing moved.
	if _, err := attempt(balances[from] + 1 + t.rnd.IntN(50)); err == nil {
		t.fail(Result{
			Message: "Transfer sent more than the balance holds, and returned no error",
			Hint:    "read the balance first (GET, inside rdb.Watch) and return an error when it is less than amount",
		})
	}
	t.balancesAre("Transfer", from, to, balances, "refused")
	neverNegative("a transfer of more than the balance")

	// Exactly the balance: it goes through, and leaves 0.
	amount = balances[from]
	if _, err := attempt(amount); err != nil {
		t.fail(Result{
			Message:  fmt.Sprintf("Transfer refused to send the whole balance (%d)", amount),
			Expected: "no error: a balance that equals the amount covers it",
			Got:      show(err),
			Hint:     "refuse only when the balance is less than amount",
		})
	}
	balances[from] -= amount
	balances[to] += amount
	t.balancesAre("Transfer", from, to, balances, "sending the whole balance")
	neverNegative("a transfer of the whole balance")

	// Another client deposits into from just before each of the first
	// few attempts write: the transfer retries until it goes through.
	set(100+t.rnd.IntN(100), t.rnd.IntN(50))
	amount = 5 + t.rnd.IntN(20)
	deposit := 1 + t.rnd.IntN(9)
	t.rec.arm(beforeWrite(from, to), meanwhile(from, deposit), whileRetries)
	err = call(amount)
	t.rec.arm(nil, nil, 0)
	n := interfered()
	if err != nil {
		t.fail(Result{
			Message:  fmt.Sprintf("Transfer gave up when another client changed the balance in between: it must retry (another client deposited %d into %s just before its write)", deposit, from),
			Expected: "no error: the transfer read the balance again and went through",
			Got:      show(err),
			Hint:     "when tx.TxPipelined (or rdb.Watch) returns redis.TxFailedErr, another client changed a watched key: run Watch again, up to 10 times",
		})
	}
	balances[from] -= amount
	balances[to] += amount
	t.balancesAre("Transfer", from, to, balances, fmt.Sprintf("another client deposited %d into %s between its read and its write, %s", deposit, from, term.Plural(n, "time")))
	neverNegative("while another client deposited into " + from)

	// Another client deposits into to: a transfer that writes to's
	// balance from a read of its own must notice too.
	amount = 5 + t.rnd.IntN(20)
	deposit = 1 + t.rnd.IntN(9)
	t.rec.arm(beforeWrite(from, to), meanwhile(to, deposit), 1)
	_, err = attempt(amount)
	t.noError("Transfer", err, "")
	balances[from] -= amount
	balances[to] += amount
	t.balancesAre("Transfer", from, to, balances, fmt.Sprintf("another client deposited %d into %s between its read and its write", deposit, to))
	neverNegative("while another client deposited into " + to)

	// Another client withdraws from from, leaving less than the transfer
	// needs: on a retry the transfer must see that and refuse.
	withdraw := func(when func([]sent) bool, where string) {
		amount := balances[from] - t.rnd.IntN(10)
		left := t.rnd.IntN(amount) // what the withdrawal leaves: less than amount
		t.rec.arm(when, meanwhile(from, left-balances[from]), 1)
		n, err := attempt(amount)
		if n == 0 {
			// Nothing came before that point (a script sends no WATCH):
			// a plain transfer, judged as one.
			t.noError("Transfer", err, "")
			balances[from] -= amount
			balances[to] += amount
			t.balancesAre("Transfer", from, to, balances, "")
			return
		}
		if err == nil {
			if got := t.balance(from); got < 0 {
				t.fail(Result{
					Message:  fmt.Sprintf("Transfer overdrew %s: another client withdrew from it %s", from, where),
					Expected: fmt.Sprintf("an error, and %s left at %d", from, balances[from]),
					Got:      fmt.Sprintf("no error, and %s at %d", from, got),
					Hint: "WATCH the balance before you read it (rdb.Watch(ctx, fn, from), then tx.Get inside): EXEC then fails " +
						"if it changed since, and the retry reads it again",
				})
			}
			t.fail(Result{Message: "Transfer returned no error when the balance no longer covered the amount",
				Hint: "after a retry, check the balance read again"})
		}
		t.balancesAre("Transfer", from, to, balances, "another client withdrew from "+from+" "+where)
		neverNegative("another client withdrew from " + from + " " + where)
	}
	withdraw(beforeWrite(from, to), "between its read and its write")
	set(100+t.rnd.IntN(100), t.rnd.IntN(50))
	withdraw(beforeAny("watch"), "just before its WATCH")

	// Another client changes the balance before every attempt, for good:
	// a bounded retry gives up with an error, and moves nothing.
	set(100+t.rnd.IntN(100), t.rnd.IntN(50))
	amount = 5 + t.rnd.IntN(20)
	t.rec.arm(beforeWrite(from, to), meanwhile(from, 1), sustained)
	err = call(amount)
	t.rec.arm(nil, nil, 0)
	n = interfered()
	if err == nil {
		if n >= sustained {
			t.fail(Result{
				Message:  fmt.Sprintf("Transfer never gave up: another client changed the balance before each of its %d attempts, and it kept retrying", n),
				Expected: "an error after a bounded number of attempts (the task says 10)",
				Got:      fmt.Sprintf("no error, after more than %d attempts", n),
				Hint: "count the attempts, and return an error after the 10th: under contention that does not end, a retry " +
					"without a bound never returns",
			})
		}
		balances[from] -= amount
		balances[to] += amount
	}
	t.balancesAre("Transfer", from, to, balances, fmt.Sprintf("another client changed %s before each attempt, %s", from, term.Plural(n, "time")))
	neverNegative("while another client changed the balance before every attempt")
}

func (t *T) balance(key string) int {
	v, _ := t.rdb.Get(t.ctx, key).Result()
	n, _ := strconv.Atoi(v)
	return n
}

// balancesAre checks both balances, and says whether money was created or
// lost.
func (t *T) balancesAre(fn, from, to string, want map[string]int, when string) {
	gotFrom, gotTo := t.balance(from), t.balance(to)
	if gotFrom == want[from] && gotTo == want[to] {
		return
	}
	r := Result{
		Expected: fmt.Sprintf("%s = %d, %s = %d", from, want[from], to, want[to]),
		Got:      fmt.Sprintf("%s = %d, %s = %d", from, gotFrom, to, gotTo),
		Hint:     "DECRBY and INCRBY in one transaction (tx.TxPipelined) inside rdb.Watch, which fails and is retried when another client changed the balance",
	}
	switch total, wantTotal := gotFrom+gotTo, want[from]+want[to]; {
	case total > wantTotal:
		r.Message = fmt.Sprintf("%s created money: the balances add up to %d, not %d", fn, total, wantTotal)
	case total < wantTotal:
		r.Message = fmt.Sprintf("%s lost money: the balances add up to %d, not %d", fn, total, wantTotal)
		r.Hint = "SET writes a balance computed from an old read, which loses the other client's change: " +
			"DECRBY and INCRBY change what is there, and WATCH makes the transaction fail if it changed"
	case when == "refused":
		r.Message = fmt.Sprintf("%s moved money although the balance did not cover the amount", fn)
		r.Hint = "return the error before writing anything"
	default:
		r.Message = fmt.Sprintf("%s left the wrong balances", fn)
	}
	if when != "" && when != "refused" {
		r.Message += " (" + when + ")"
	}
	t.fail(r)
}
