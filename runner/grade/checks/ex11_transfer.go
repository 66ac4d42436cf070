package checks

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

type transferFunc = func(ctx context.Context, rdb *redis.Client, from, to string, amount int) error

func checkTransfer(t *T) {
	transfer := lookup[transferFunc](t, "Transfer")
	// Another client, on connections of its own that the recorder does
	// not watch: it changes a balance between the learner's read and
	// write.
	opt := *t.rdb.Options()
	other := redis.NewClient(&opt)
	defer other.Close()

	from := t.key(fmt.Sprintf("balance:%d", t.rnd.IntN(1000)))
	to := t.key(fmt.Sprintf("balance:%d", 1000+t.rnd.IntN(1000)))
	balances := map[string]int{from: 100 + t.rnd.IntN(100), to: t.rnd.IntN(50)}
	t.rdb.Set(t.ctx, from, balances[from], 0)
	t.rdb.Set(t.ctx, to, balances[to], 0)
	call := func(amount int) error {
		return t.call("Transfer", []any{from, to, amount}, func() error { return transfer(t.ctx, t.rdb, from, to, amount) })
	}
	// The change is made on the goroutine serving the learner's round
	// trip; it is handed back here through changed.
	changed := make(chan int, 1)
	meanwhile := func(change int) func() {
		return func() {
			other.IncrBy(context.Background(), from, int64(change))
			changed <- change
		}
	}
	interfered := func() {
		select {
		case c := <-changed:
			balances[from] += c
		default: // the call wrote nothing: the balances say what went wrong
		}
	}

	// A plain transfer.
	amount := 10 + t.rnd.IntN(30)
	t.noError("Transfer", call(amount), "")
	balances[from] -= amount
	balances[to] += amount
	t.balancesAre("Transfer", from, to, balances, "")

	// More than from holds: an error, and nothing moved.
	if err := call(balances[from] + 1 + t.rnd.IntN(50)); err == nil {
		t.fail(Result{
			Message: "Transfer sent more than the balance holds, and returned no error",
			Hint:    "read the balance first (GET, inside rdb.Watch) and return an error when it is less than amount",
		})
	}
	t.balancesAre("Transfer", from, to, balances, "refused")

	// Another client deposits into from between the read and the write:
	// the first EXEC must fail, and the transfer go through on a retry.
	amount = 5 + t.rnd.IntN(20)
	deposit := 1 + t.rnd.IntN(9)
	t.rec.arm(meanwhile(deposit), from, to)
	err := call(amount)
	t.rec.arm(nil)
	interfered()
	if err != nil {
		t.fail(Result{
			Message:  "Transfer gave up when another client changed the balance in between: it must retry",
			Expected: "no error: the transfer read the balance again and went through",
			Got:      show(err),
			Hint:     "when tx.TxPipelined (or rdb.Watch) returns redis.TxFailedErr, another client changed a watched key: run Watch again, up to 10 times",
		})
	}
	balances[from] -= amount
	balances[to] += amount
	t.balancesAre("Transfer", from, to, balances, fmt.Sprintf("another client deposited %d into %s between its read and its write", deposit, from))

	// Another client withdraws from from, leaving less than the transfer
	// needs: on a retry the transfer must see that and refuse.
	amount = balances[from] - t.rnd.IntN(10)
	t.rec.arm(meanwhile(-(balances[from] - amount + 1 + t.rnd.IntN(5))), from, to)
	err = call(amount)
	t.rec.arm(nil)
	interfered()
	if err == nil {
		got := t.balance(from)
		if got < 0 {
			t.fail(Result{
				Message:  fmt.Sprintf("Transfer overdrew %s: another client withdrew from it between the read and the write", from),
				Expected: fmt.Sprintf("an error, and %s left at %d", from, balances[from]),
				Got:      fmt.Sprintf("no error, and %s at %d", from, got),
				Hint:     "WATCH the balance you read (rdb.Watch(ctx, fn, from)): EXEC then fails if it changed, and the retry reads it again",
			})
		}
		t.fail(Result{Message: "Transfer returned no error when the balance no longer covered the amount",
			Hint: "after a retry, check the balance read again"})
	}
	t.balancesAre("Transfer", from, to, balances, "another client withdrew from "+from+" between its read and its write")
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
