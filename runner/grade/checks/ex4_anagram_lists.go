package checks

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/term"
)

type bigAnagramListsFunc = func(ctx context.Context, rdb *redis.Client, prefix string, min int) ([][]string, error)

func checkAnagramLists(t *T) {
	f := lookup[bigAnagramListsFunc](t, "BigAnagramLists")

	// The chapter's lists under its prefix, and made-up ones: enough keys
	// that SCAN answers them over several pages. Beside them, lists that
	// must not be found: another prefix, and a key that holds the prefix
	// without starting with it.
	prefix := t.key("Anagram:")
	groups := anagramSet(t.rnd, 60)
	length := map[string]int{}
	pipe := t.rdb.Pipeline()
	for sig, words := range groups {
		pipe.RPush(t.ctx, prefix+sig, anys(words)...)
		length[prefix+sig] = len(words)
	}
	for i, words := range bigGroups[:3] {
		decoy := t.key(fmt.Sprintf("Other:%d", i))
		if i == 2 {
			decoy = t.key("X" + strings.TrimPrefix(prefix, t.ns) + signature(words[0]))
		}
		pipe.RPush(t.ctx, decoy, anys(words)...)
		length[decoy] = len(words)
	}
	if _, err := pipe.Exec(t.ctx); err != nil {
		panic(err)
	}

	for _, min := range []int{6, 2 + t.rnd.IntN(4)} {
		var got [][]string
		err := t.call("BigAnagramLists", []any{prefix, min}, func() (err error) {
			got, err = f(t.ctx, t.rdb, prefix, min)
			return err
		})
		t.noError("BigAnagramLists", err, "")
		t.sameLists("BigAnagramLists", bigOnes(groups, min), got, min, "scan")
		t.forbid(RuleScan, "rdb.Scan(ctx, cursor, prefix+\"*\", 100) in a loop until the cursor comes back 0, "+
			"or its Iterator()", "keys")
		cmds, _ := t.rec.sent()
		var small []string
		for _, c := range cmds {
			if c.name == "lrange" && length[c.key()] < min {
				small = append(small, fmt.Sprintf("%s (LLEN %d, min %d)", c, length[c.key()], min))
			}
		}
		if len(small) > 0 {
			t.breaks(RuleLLenFirst, small, "LLEN each key first, and LRANGE only when LLEN is at least min")
		}
	}

	nothing := t.key("Nothing:")
	var got [][]string
	err := t.call("BigAnagramLists", []any{nothing, 1}, func() (err error) {
		got, err = f(t.ctx, t.rdb, nothing, 1)
		return err
	})
	t.noError("BigAnagramLists", err, "")
	if len(got) != 0 {
		t.fail(Result{
			Message:  fmt.Sprintf("BigAnagramLists returned %s when no key starts with the prefix", term.Plural(len(got), "list")),
			Expected: "no lists",
			Got:      showLists(got, 4),
			Hint:     "SCAN's pattern is the prefix followed by *: prefix+\"*\"",
		})
	}
}

// sameLists compares lists of words found by fn (exercises 4 and 6) with
// the answer, and fails with what differs: which lists are missing or
// extra, or the order. scan names the command whose cursor fn must follow.
func (t *T) sameLists(fn string, want, got [][]string, min int, scan string) {
	if slices.EqualFunc(want, got, slices.Equal) {
		return
	}
	r := Result{
		Message:  fmt.Sprintf("%s returned %s; expected %d", fn, term.Plural(len(got), "list"), len(want)),
		Expected: showLists(want, 4),
		Got:      showLists(got, 4),
	}
	// Compare as sets of words first: which lists are missing or extra.
	id := func(words []string) string {
		s := slices.Clone(words)
		slices.Sort(s)
		return strings.Join(s, " ")
	}
	wantBy, gotBy := map[string][]string{}, map[string][]string{}
	for _, w := range want {
		wantBy[id(w)] = w
	}
	for _, g := range got {
		gotBy[id(g)] = g
	}
	var missing, extra [][]string
	for _, k := range slices.Sorted(maps.Keys(wantBy)) {
		if gotBy[k] == nil {
			missing = append(missing, wantBy[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(gotBy)) {
		if wantBy[k] == nil {
			extra = append(extra, gotBy[k])
		}
	}
	switch {
	case len(missing) > 0 && len(extra) == 0:
		r.Got += fmt.Sprintf("; missing %s", showLists(missing, 3))
		if slices.ContainsFunc(missing, func(l []string) bool { return len(l) == min }) &&
			!slices.ContainsFunc(missing, func(l []string) bool { return len(l) > min }) {
			r.Message = fmt.Sprintf("%s left out the lists of exactly min (%d) words", fn, min)
			r.Hint = "at least min means len >= min, not len > min"
		} else if !t.sentAny(scan) {
			r.Hint = fmt.Sprintf("read the lists from Redis with %s: the grader's lists are new every run", strings.ToUpper(scan))
		} else {
			r.Hint = fmt.Sprintf("%s answers a page at a time: call it again with the cursor it returned, "+
				"until the cursor comes back 0", strings.ToUpper(scan))
			if c, ok := t.rec.unfinishedScan(scan); ok {
				r.Hint = fmt.Sprintf("your last %s answered cursor %d, not 0, and %s stopped there: ",
					strings.ToUpper(scan), c, fn) + r.Hint
			}
		}
	case len(extra) > 0:
		r.Got += fmt.Sprintf("; not expected: %s", showLists(extra, 3))
		switch {
		case slices.ContainsFunc(extra, func(l []string) bool { return len(l) < min && len(l) > 0 }):
			r.Hint = fmt.Sprintf("keep only the lists of at least min (%d) words", min)
		case len(missing) > 0:
			r.Hint = "the result must come from what is in Redis now: the grader's lists are new every run"
		default:
			r.Hint = "only lists whose keys start with the prefix: SCAN's pattern is prefix+\"*\""
		}
	default:
		// The same lists: the order is wrong, of the words or of the lists.
		for _, g := range got {
			if w := wantBy[id(g)]; !slices.Equal(w, g) {
				r.Message = fmt.Sprintf("%s changed the order of the words in a list", fn)
				r.Expected, r.Got = showStrings(w), showStrings(g)
				r.Hint = "keep each list's words in the order they are stored"
				t.fail(r)
			}
		}
		r.Message = fmt.Sprintf("%s returned the right lists in the wrong order", fn)
		r.Expected, r.Got = firstWords(want), firstWords(got)
		r.Hint = "sort the lists by their first word: slices.SortFunc(lists, func(a, b []string) int " +
			"{ return strings.Compare(a[0], b[0]) })"
	}
	t.fail(r)
}

// firstWords shows the order of lists by their first words.
func firstWords(lists [][]string) string {
	var s []string
	for _, l := range lists {
		if len(l) > 0 {
			s = append(s, l[0])
		}
	}
	return "lists beginning " + showStrings(s)
}
