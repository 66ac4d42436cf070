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

type loadAnagramsFunc = func(ctx context.Context, rdb *redis.Client, prefix string, words []string, batch int) error

// RuleBatches is exercise 9's rule.
var RuleBatches = Rule{
	Name: "send the commands in pipelines of the batch size asked",
	Why: "a round trip per command waits on the network once per word: at 1 ms to the server, 100,000 " +
		"words take 100 s, against a tenth of a second in batches of a thousand. A pipeline of " +
		"everything waits once, but the client holds every command and the server every reply until " +
		"the end: the batch size bounds that memory.",
}

func checkBulkLoad(t *T) {
	load := lookup[loadAnagramsFunc](t, "LoadAnagrams")
	call := func(prefix string, words []string, batch int) error {
		return t.call("LoadAnagrams", []any{prefix, words, batch}, func() error { return load(t.ctx, t.rdb, prefix, words, batch) })
	}

	// The chapter's groups and made-up ones, their words shuffled
	// together, in batches that leave a part batch at the end.
	groups := anagramSet(t.rnd, 150+t.rnd.IntN(100))
	var words []string
	for _, sig := range slices.Sorted(maps.Keys(groups)) {
		words = append(words, groups[sig]...)
	}
	t.rnd.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
	batch := 40 + t.rnd.IntN(60)
	if len(words)%batch == 0 {
		batch++
	}
	prefix := t.key(fmt.Sprintf("Anagram%d:", t.rnd.IntN(1000)))
	t.noError("LoadAnagrams", call(prefix, words, batch), "")
	t.batched(len(words), batch)
	t.anagramListsAre(prefix, words)

	// Fewer words than a batch: one round trip.
	few := t.words(3+t.rnd.IntN(5), "few")
	prefix2 := t.key(fmt.Sprintf("Few%d:", t.rnd.IntN(1000)))
	t.noError("LoadAnagrams", call(prefix2, few, 1000), "")
	t.batched(len(few), 1000)
	t.anagramListsAre(prefix2, few)

	// Keys in the way, in the second batch and in a later one: WRONGTYPE
	// for their words, and the others are loaded all the same. The error
	// names the first word that failed, and no other: neither the rest of
	// its batch, nor the later failure.
	prefix3 := t.key(fmt.Sprintf("Mixed%d:", t.rnd.IntN(1000)))
	small := 10 + t.rnd.IntN(10)
	madeUp := func(w string) bool { return !realWords[signature(w)] }
	pick := func(from, to int, not string) string {
		for {
			w := words[from+t.rnd.IntN(to-from)]
			if madeUp(w) && signature(w) != signature(not) {
				return w
			}
		}
	}
	bad := pick(small, 2*small, "")
	later := pick(4*small, len(words), bad)
	// Anagrams share a key: the first of them is the first to fail.
	first := func(w string) int {
		return slices.IndexFunc(words, func(x string) bool { return signature(x) == signature(w) })
	}
	for first(later) < 3*small {
		later = pick(4*small, len(words), bad)
	}
	bad = words[first(bad)]
	for _, w := range []string{bad, later} {
		t.rdb.Set(t.ctx, prefix3+signature(w), "not a list", 0)
	}
	err := call(prefix3, words, small)
	if err == nil {
		t.fail(Result{
			Message:  "LoadAnagrams returned no error, although an RPUSH failed",
			Expected: fmt.Sprintf("an error naming %q, whose key %s holds a string", bad, prefix3+signature(bad)),
			Got:      "no error",
			Hint:     "a pipeline's failed command does not stop the others, and go-redis returns the first error from Pipelined: do not drop it",
		})
	}
	if !strings.Contains(err.Error(), bad) {
		t.fail(Result{
			Message:  "LoadAnagrams's error does not name the word whose RPUSH failed",
			Expected: fmt.Sprintf("an error naming %q, whose key %s holds a string", bad, prefix3+signature(bad)),
			Got:      show(err),
			Hint:     "Pipelined returns the commands too: the i-th command of the batch pushed its i-th word; find the first whose Err() is not nil",
		})
	}
	// What the error may say besides: the server's message, the key.
	text := err.Error()
	for _, s := range []string{prefix3 + signature(bad), "WRONGTYPE Operation against a key holding the wrong kind of value"} {
		text = strings.ReplaceAll(text, s, "")
	}
	named := func(ws []string) []string {
		var out []string
		for _, w := range ws {
			if madeUp(w) && signature(w) != signature(bad) && strings.Contains(text, w) && !strings.Contains(bad, w) {
				out = append(out, quote(w))
			}
		}
		return out
	}
	if n := named([]string{later}); len(n) > 0 {
		t.fail(Result{
			Message:  fmt.Sprintf("LoadAnagrams's error names a later failure too (%s, in batch %d): the first is the one to name", n[0], first(later)/small+1),
			Expected: fmt.Sprintf("an error naming %q, the first word whose RPUSH failed (batch %d)", bad, first(bad)/small+1),
			Got:      show(err),
			Hint:     "remember the first failure and go on loading; later ones do not replace it, nor join it",
		})
	}
	b := first(bad) / small
	if n := named(words[b*small : min(len(words), (b+1)*small)]); len(n) > 0 {
		t.fail(Result{
			Message:  fmt.Sprintf("LoadAnagrams's error names words whose RPUSH did not fail: %s", firstFew(n)),
			Expected: fmt.Sprintf("an error naming %q, the first word whose RPUSH failed (batch %d), and no other", bad, b+1),
			Got:      show(err),
			Hint:     "the i-th command of the batch pushed its i-th word: name the word of the first command whose Err() is not nil",
		})
	}
	t.anagramListsAre(prefix3, words, bad, later)
}

// realWords are the signatures of the chapter's anagram groups: words a
// learner's message may hold by chance ("redis", "dog"), unlike made-up
// ones.
var realWords = func() map[string]bool {
	m := map[string]bool{}
	for _, g := range slices.Concat(bigGroups, smallGroups) {
		m[signature(g[0])] = true
	}
	return m
}()

// batched fails the last call if it took more round trips than n words
// in batches of size need, or sent more than batch commands in one.
func (t *T) batched(n, batch int) {
	cmds, trips := t.rec.sent()
	most := (n + batch - 1) / batch
	per := map[int]int{}
	for _, c := range cmds {
		per[c.trip]++
	}
	if trips > most {
		t.fail(Result{
			Message: fmt.Sprintf("broke a rule: %s (%s for %d words in batches of %d; at most %d)",
				RuleBatches.Name, term.Plural(trips, "round trip"), n, batch, most),
			Rule: RuleBatches.Name, Why: RuleBatches.Why,
			Hint: "slices.Chunk(words, batch) gives the batches; one rdb.Pipelined per batch sends its RPUSHes in one round trip",
		})
	}
	for trip, k := range per {
		if k > batch {
			t.fail(Result{
				Message: fmt.Sprintf("broke a rule: %s (round trip %d carried %d commands; the batch is %d)",
					RuleBatches.Name, trip, k, batch),
				Rule: RuleBatches.Name, Why: RuleBatches.Why,
				Hint: "one pipeline per batch of words, not one for them all: slices.Chunk(words, batch)",
			})
		}
	}
}

// anagramListsAre checks the lists under prefix: each word at the end of
// its signature's list, in the order of words, except the anagrams of
// skip, whose keys are in the way.
func (t *T) anagramListsAre(prefix string, words []string, skip ...string) {
	want := map[string][]string{}
	for _, w := range words {
		if slices.ContainsFunc(skip, func(s string) bool { return signature(w) == signature(s) }) {
			continue
		}
		want[prefix+signature(w)] = append(want[prefix+signature(w)], w)
	}
	lists := map[string][]string{}
	var missing []string
	for _, key := range slices.Sorted(maps.Keys(want)) {
		lists[key], _ = t.rdb.LRange(t.ctx, key, 0, -1).Result()
		for _, w := range want[key] {
			if !slices.Contains(lists[key], w) {
				missing = append(missing, quote(w))
			}
		}
	}
	if len(missing) > 0 {
		r := Result{
			Message:  fmt.Sprintf("LoadAnagrams did not load %d of the %d words", len(missing), len(words)),
			Expected: "every word on the list at prefix+signature(word)",
			Got:      "missing " + firstFew(missing),
			Hint:     "every batch is sent, the last, shorter one too: slices.Chunk gives it",
		}
		if len(skip) > 0 {
			r.Message = fmt.Sprintf("LoadAnagrams stopped loading after an RPUSH failed: %d of the %d words are missing", len(missing), len(words))
			r.Hint = "a failed command in one batch is no reason to skip the next ones: load them, and return the first error at the end"
		}
		t.fail(r)
	}
	for _, key := range slices.Sorted(maps.Keys(want)) {
		got, w := lists[key], want[key]
		switch {
		case slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(w))) && !slices.Equal(got, w):
			t.fail(Result{
				Message:  fmt.Sprintf("the list at %s holds the right words in another order", key),
				Expected: showStrings(w),
				Got:      showStrings(got),
				Hint:     "RPUSH adds at the end, so the list keeps the order of words; LPUSH adds at the front",
			})
		case !slices.Equal(got, w):
			t.fail(Result{
				Message:  fmt.Sprintf("the list at %s holds other words", key),
				Expected: showStrings(w),
				Got:      showStrings(got),
				Hint:     "push each word once, onto the list of its own signature",
			})
		}
	}
}
