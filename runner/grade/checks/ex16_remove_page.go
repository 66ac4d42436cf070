package checks

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/term"
)

type removePageFunc = func(ctx context.Context, rdb *redis.Client, prefix, url string) error

// RuleKeysAPageAtATime is exercise 16's rule, judged by what each reply
// carried, whatever the command.
var RuleKeysAPageAtATime = Rule{
	Name: "find the index's keys a page at a time, never all in one reply",
	Why: "an index has a key per word, hundreds of thousands of them. KEYS, or a SCAN whose COUNT is as big " +
		"as the database, walks all of them in one command, during which Redis answers no other client; " +
		"SCAN with a modest COUNT walks them a page at a time.",
}

func checkRemovePage(t *T) {
	removePage := lookup[removePageFunc](t, "RemovePage")
	prefix := t.key(fmt.Sprintf("Index%d:", t.rnd.IntN(1000)))
	vocab := vocabulary(t.rnd, 400+t.rnd.IntN(100))
	urls := pageURLs(t.rnd, 12)
	ix := index{}
	for _, u := range urls {
		ix.add(u, listed(pageCounts(t.rnd, vocab, 60+t.rnd.IntN(60), 10)))
	}
	// The page to remove is listed under many words, some of which list
	// no other page: their hashes must go.
	url := urls[0]
	for _, w := range vocab[:30+t.rnd.IntN(20)] {
		for _, u := range urls[1:] {
			ix.del(w, u)
		}
		ix.set(w, url, minCount+t.rnd.IntN(10))
	}
	for _, w := range vocab[len(vocab)-150:] {
		ix.set(w, url, minCount+t.rnd.IntN(10))
	}
	t.storeIndex(prefix, ix)
	// Keys beside the index, some of which name the page too: they are
	// not the index's, and stay as they are.
	beside := map[string]map[string]string{
		t.key("Visits"):            {url: "41", urls[1]: "7"},
		t.key("Links:" + vocab[0]): {url: "1"},
	}
	for key, fields := range beside {
		t.rdb.HSet(t.ctx, key, fields)
	}
	// Many keys outside the index, which SCAN MATCH walks too: pages of
	// SCAN without an index key come before the end.
	pipe := t.rdb.Pipeline()
	for i := range 600 {
		pipe.Set(t.ctx, t.key(fmt.Sprintf("Cache:%04d", i)), i, 0)
	}
	if _, err := pipe.Exec(t.ctx); err != nil {
		panic(fmt.Sprintf("storing keys beside the index: %v", err))
	}
	note := t.key("Note:" + url)
	t.rdb.Set(t.ctx, note, "kept", 0)

	remove := func(url string) {
		err := t.call("RemovePage", []any{prefix, url}, func() error { return removePage(t.ctx, t.rdb, prefix, url) })
		t.noError("RemovePage", err, "")
		keys := len(ix)
		ix.remove(url)
		t.keysAPageAtATime(prefix, keys)
		t.indexIs("RemovePage", prefix, ix, url, nil, "removed",
			"SCAN MATCH prefix* to the end (the cursor back to 0, even after an empty page), and HDEL url from every key it finds")
		for key, fields := range beside {
			got, _ := t.rdb.HGetAll(t.ctx, key).Result()
			if !maps.Equal(got, fields) {
				t.fail(Result{
					Message:  fmt.Sprintf("RemovePage changed %s, which is not the index's: its keys start with %s", key, prefix),
					Expected: fmt.Sprint(fields),
					Got:      fmt.Sprint(got),
					Hint:     "SCAN with MATCH prefix*: only the index's keys, not every hash in the database",
				})
			}
		}
		if v, _ := t.rdb.Get(t.ctx, note).Result(); v != "kept" {
			t.fail(Result{
				Message: fmt.Sprintf("RemovePage changed %s, which is not the index's", note),
				Hint:    "SCAN with MATCH prefix*: only the index's keys",
			})
		}
	}
	remove(url)
	// A page the index does not list: nothing changes, and no error.
	remove(pageURLs(t.rnd, 13)[12])
	remove(urls[1+t.rnd.IntN(len(urls)-1)])
	if left := slices.Collect(maps.Keys(ix)); len(left) == 0 {
		panic("the index is empty: the check removed too much")
	}
}

// keysAPageAtATime fails RemovePage when one reply carried more than half
// of the index's keys (keys of them).
func (t *T) keysAPageAtATime(prefix string, keys int) {
	for _, reply := range t.rec.eachReply() {
		n := 0
		for _, s := range reply {
			if len(s) > len(prefix) && s[:len(prefix)] == prefix {
				n++
			}
		}
		if 2*n > keys {
			t.fail(Result{
				Message: fmt.Sprintf("broke a rule: %s (one reply carried %s of the index)",
					RuleKeysAPageAtATime.Name, term.Plural(n, "key")),
				Rule: RuleKeysAPageAtATime.Name, Why: RuleKeysAPageAtATime.Why,
				Sent: t.sentLines(),
				Hint: "rdb.Scan(ctx, cursor, prefix+\"*\", 100) in a loop until the cursor is 0",
			})
		}
	}
}
