package checks

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

type reindexFunc = func(ctx context.Context, rdb *redis.Client, prefix, url string, old, new []string) error

// RuleNoMix is exercise 15's rule.
var RuleNoMix = Rule{
	Name: "change a page's entries in one step that no query can see half done",
	Why: "other clients query the index while a page is re-indexed. Between two round trips, or between " +
		"two commands of a pipeline without MULTI, which Redis may serve other clients in between, they " +
		"find the page under some of its old words and some of its new, or under none: a search " +
		"answers with a page that does not say what it is listed for, or misses it.",
}

func checkReindex(t *T) {
	reindex := lookup[reindexFunc](t, "Reindex")
	prefix := t.key(fmt.Sprintf("Index%d:", t.rnd.IntN(1000)))
	vocab := vocabulary(t.rnd, 300)
	urls := pageURLs(t.rnd, 10)
	ix := index{}
	for _, u := range urls[1:] {
		ix.add(u, listed(pageCounts(t.rnd, vocab, 30+t.rnd.IntN(40), 10)))
	}
	url := urls[0]
	counts := pageCounts(t.rnd, vocab, 40+t.rnd.IntN(30), 20)
	ix.add(url, listed(counts))
	t.storeIndex(prefix, ix)

	// Another client queries the page's entries after each of the
	// learner's round trips, and between the commands of a pipeline
	// that is no transaction: it must find the old version or the new,
	// never a mix.
	other := t.otherClient()
	defer other.Close()
	var mu sync.Mutex
	var watched []string
	var before, after map[string]int
	var mixes []string
	t.rec.watchSteps(func() {
		mu.Lock()
		words, old, now := watched, before, after
		mu.Unlock()
		pipe := other.Pipeline()
		got := make([]*redis.StringCmd, len(words))
		for i, w := range words {
			got[i] = pipe.HGet(context.Background(), prefix+w, url)
		}
		pipe.Exec(context.Background())
		seen := map[string]int{}
		for i, w := range words {
			if n, err := got[i].Int(); err == nil {
				seen[w] = n
			}
		}
		if !maps.Equal(seen, old) && !maps.Equal(seen, now) {
			mu.Lock()
			mixes = append(mixes, describeMix(seen, old, now))
			mu.Unlock()
		}
	})
	defer t.rec.watchSteps(nil)

	change := func(next map[string]int) {
		old, new := pageWords(t.rnd, counts), pageWords(t.rnd, next)
		mu.Lock()
		before, after = listed(counts), listed(next)
		watched = slices.Sorted(maps.Keys(wordCounts(slices.Concat(old, new))))
		mixes = nil
		mu.Unlock()
		err := t.call("Reindex", []any{prefix, url, old, new}, func() error { return reindex(t.ctx, t.rdb, prefix, url, old, new) })
		t.noError("Reindex", err, "")
		// The end first: a mix that Reindex left for good is a wrong
		// index, before it is a moment's.
		ix.remove(url)
		ix.add(url, listed(next))
		t.indexIs("Reindex", prefix, ix, url, next, "re-indexed",
			"HDEL the page from the words it no longer uses at least 3 times, and HSET its new count under the others")
		counts = next
		mu.Lock()
		seen := slices.Clone(mixes)
		mu.Unlock()
		if len(seen) > 0 {
			t.fail(Result{
				Message: fmt.Sprintf("broke a rule: %s (another client queried the index while Reindex ran, and found %s half re-indexed)",
					RuleNoMix.Name, url),
				Rule: RuleNoMix.Name, Why: RuleNoMix.Why,
				Expected: "the page's old entries, or its new ones, whenever another client looks",
				Got:      seen[0],
				Sent:     t.sentLines(),
				Hint: "queue every HDEL and HSET in one rdb.TxPipelined: MULTI/EXEC runs them as one step, with no other " +
					"client's command in between",
			})
		}
	}
	// A new version: words kept with the same count, counts that change
	// (across the line of 3 both ways), words dropped, words new.
	change(edited(t, vocab, counts))
	change(edited(t, vocab, counts))
	// A version that uses no word 3 times: the page leaves the index.
	change(pageCounts(t.rnd, vocab, 0, 15))
	change(pageCounts(t.rnd, vocab, 20+t.rnd.IntN(20), 10))
}

// edited is a new version of a page that used counts.
func edited(t *T, vocab []string, counts map[string]int) map[string]int {
	next := map[string]int{}
	for _, w := range slices.Sorted(maps.Keys(counts)) {
		n := counts[w]
		switch r := t.rnd.IntN(10); {
		case r < 4: // kept
			next[w] = n
		case r < 6: // gone
		case r < 8:
			next[w] = n + 1 + t.rnd.IntN(5)
		default:
			next[w] = max(1, n-1-t.rnd.IntN(3))
		}
	}
	if counts := listed(counts); len(counts) > 0 {
		// One word exactly on the line, and one just under it.
		words := slices.Sorted(maps.Keys(counts))
		next[words[t.rnd.IntN(len(words))]] = minCount
		next[words[t.rnd.IntN(len(words))]] = minCount - 1
	}
	for range 10 + t.rnd.IntN(20) {
		if w := vocab[t.rnd.IntN(len(vocab))]; counts[w] == 0 {
			next[w] = 1 + t.rnd.IntN(10)
		}
	}
	return next
}

// describeMix says what another client saw of a page: listed under seen,
// where the old version was old and the new one now.
func describeMix(seen, old, now map[string]int) string {
	if len(seen) == 0 {
		return fmt.Sprintf("the page listed under no word (the old version under %d, the new under %d)", len(old), len(now))
	}
	var oldOnly, newOnly []string
	for _, w := range slices.Sorted(maps.Keys(seen)) {
		n := seen[w]
		switch {
		case old[w] == n && now[w] != n:
			oldOnly = append(oldOnly, fmt.Sprintf("%s %d", w, n))
		case now[w] == n && old[w] != n:
			newOnly = append(newOnly, fmt.Sprintf("%s %d", w, n))
		}
	}
	missing := 0
	for w := range now {
		if _, ok := seen[w]; !ok {
			missing++
		}
	}
	var parts []string
	if len(oldOnly) > 0 {
		parts = append(parts, "old entries ("+firstFew(oldOnly)+")")
	}
	if len(newOnly) > 0 {
		parts = append(parts, "new ones ("+firstFew(newOnly)+")")
	}
	if missing > 0 {
		parts = append(parts, fmt.Sprintf("%d of the new version's words missing", missing))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("the page listed under %d words, as neither version is", len(seen))
	}
	return "the page listed with " + strings.Join(parts, ", and ")
}
