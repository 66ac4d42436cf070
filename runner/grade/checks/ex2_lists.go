package checks

import (
	"context"
	"fmt"
	"slices"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/term"
)

type (
	pushFrontFunc = func(ctx context.Context, rdb *redis.Client, key string, values ...string) error
	popFrontFunc  = func(ctx context.Context, rdb *redis.Client, key string, n int) ([]string, error)
)

func checkLists(t *T) {
	push := lookup[pushFrontFunc](t, "PushFront")
	pop := lookup[popFrontFunc](t, "PopFront")
	pushFront := func(key string, values ...string) {
		args := []any{key}
		for _, v := range values {
			args = append(args, v)
		}
		err := t.call("PushFront", args, func() error { return push(t.ctx, t.rdb, key, values...) })
		hint := ""
		if len(values) == 0 {
			hint = "with no values there is nothing to push: return nil before calling LPUSH, which needs at least one"
		}
		t.noError("PushFront", err, hint)
	}
	popFront := func(key string, n int) []string {
		var got []string
		err := t.call("PopFront", []any{key, n}, func() (err error) {
			got, err = pop(t.ctx, t.rdb, key, n)
			return err
		})
		hint := ""
		if isNil(err) {
			hint = "LPOP answers redis.Nil when there is nothing to pop; for PopFront that is no error: return no values and nil"
		}
		t.noError("PopFront", err, hint)
		return got
	}

	// Fixed cases: a new list, then pushing in front of it.
	q := t.key(fmt.Sprintf("queue:%d", t.rnd.IntN(1000)))
	pushFront(q, "a", "b", "c")
	t.listIs("PushFront", q, []string{"a", "b", "c"})
	pushFront(q, "x", "y")
	t.listIs("PushFront", q, []string{"x", "y", "a", "b", "c"})
	pushFront(q)
	t.listIs("PushFront", q, []string{"x", "y", "a", "b", "c"})

	// Generated: in front of a list the grader made.
	g := t.key(fmt.Sprintf("jobs:%d", t.rnd.IntN(1000)))
	old := t.words(3+t.rnd.IntN(5), "old")
	t.rdb.RPush(t.ctx, g, anys(old)...)
	values := t.words(2+t.rnd.IntN(4), "new")
	pushFront(g, values...)
	t.listIs("PushFront", g, slices.Concat(values, old))

	// Popping: some, none, more than there are, from nothing.
	t.popped(q, 2, popFront(q, 2), []string{"x", "y"}, []string{"a", "b", "c"})
	t.popped(q, 0, popFront(q, 0), nil, []string{"a", "b", "c"})
	t.popped(q, 10, popFront(q, 10), []string{"a", "b", "c"}, nil)
	t.popped(q, 3, popFront(q, 3), nil, nil)
	all := slices.Concat(values, old)
	n := 1 + t.rnd.IntN(len(all)-1)
	t.popped(g, n, popFront(g, n), all[:n], all[n:])
}

// words makes n distinct values for a list.
func (t *T) words(n int, stem string) []string {
	out := make([]string, n)
	base := t.rnd.IntN(1000)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", stem, base+i)
	}
	return out
}

func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// listIs checks the whole list at key after fn ran.
func (t *T) listIs(fn, key string, want []string) {
	got, _ := t.rdb.LRange(t.ctx, key, 0, -1).Result()
	if slices.Equal(got, want) {
		return
	}
	r := Result{
		Message:  fmt.Sprintf("%s left the list %s as %s", fn, key, showStrings(got)),
		Expected: fmt.Sprintf("LRANGE %s 0 -1 is %s", key, showStrings(want)),
		Got:      showStrings(got),
	}
	if typ, _ := t.rdb.Type(t.ctx, key).Result(); typ != "list" && typ != "none" {
		r.Got = fmt.Sprintf("TYPE %s is %s", key, typ)
	}
	if len(got) == len(want) && !slices.Equal(got, want) && sameElements(got, want) {
		r.Message = fmt.Sprintf("%s put the values in the wrong order", fn)
		r.Hint = "LPUSH puts each value at the front in turn, so the last one pushed ends up first: " +
			"push the values from last to first"
	}
	t.fail(r)
}

// popped checks what PopFront(key, n) returned and left.
func (t *T) popped(key string, n int, got, want, left []string) {
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		r := Result{
			Message:  fmt.Sprintf("PopFront returned %s", term.Plural(len(got), "value")),
			Expected: showStrings(want),
			Got:      showStrings(got),
		}
		switch {
		case len(got) == len(want)+1 || (n == 0 && len(got) > 0):
			r.Hint = "one value too many: LRANGE's stop index is inclusive (LRANGE q 0 n-1 reads n values); " +
				"LPOP with a count (rdb.LPopCount) takes exactly up to n"
		case len(got) == len(want)-1:
			r.Hint = "one value too few: LRANGE's stop index is inclusive"
		case sameElements(got, want):
			r.Hint = "return the values front first, in the order LPOP gives them"
		}
		t.fail(r)
	}
	rest, _ := t.rdb.LRange(t.ctx, key, 0, -1).Result()
	if !slices.Equal(rest, left) && !(len(rest) == 0 && len(left) == 0) {
		t.fail(Result{
			Message:  fmt.Sprintf("PopFront returned the right values but left the list %s as %s", key, showStrings(rest)),
			Expected: fmt.Sprintf("LRANGE %s 0 -1 is %s", key, showStrings(left)),
			Got:      showStrings(rest),
			Hint:     "PopFront removes what it returns: LPOP with a count reads and removes in one command",
		})
	}
}

func sameElements(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
