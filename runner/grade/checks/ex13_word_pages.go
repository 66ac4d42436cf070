package checks

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/term"
)

type wordPagesFunc = func(ctx context.Context, rdb *redis.Client, prefix, word string) (map[string]int, error)

// RulePageAtATime is exercise 13's rule, judged by what each reply
// carried, whatever the command.
var RulePageAtATime = Rule{
	Name: "read a big hash a page at a time, never in one reply",
	Why: "a common word's hash lists most of the corpus. A reply with all of it (HGETALL, HKEYS, HVALS, " +
		"or an HSCAN whose COUNT is as big as the hash) is built while Redis answers no other client, " +
		"and the client must hold all of it at once. HSCAN with a modest COUNT reads a page at a time, " +
		"and other clients get their turn between pages.",
}

func checkWordPages(t *T) {
	wordPages := lookup[wordPagesFunc](t, "WordPages")
	prefix := t.key(fmt.Sprintf("Index%d:", t.rnd.IntN(1000)))
	vocab := vocabulary(t.rnd, 6)
	urls := pageURLs(t.rnd, 900+t.rnd.IntN(200))
	ix := index{}
	// A rare word (a compact hash, which HSCAN answers at once), a common
	// one listed by hundreds of pages (more than a server keeps compact:
	// 128 by default, 512 on some), and one more in between.
	for i, n := range []int{3 + t.rnd.IntN(8), 700 + t.rnd.IntN(len(urls)-700), 150 + t.rnd.IntN(100)} {
		for _, j := range t.rnd.Perm(len(urls))[:n] {
			ix.set(vocab[i], urls[j], minCount+t.rnd.IntN(40))
		}
	}
	t.storeIndex(prefix, ix)
	// Keys beside the index, which the answer must not take in.
	t.rdb.HSet(t.ctx, prefix+vocab[0]+"s", urls[0], 99)

	for _, word := range []string{vocab[0], vocab[1], vocab[2], vocab[3]} {
		var got map[string]int
		err := t.call("WordPages", []any{prefix, word}, func() (err error) {
			got, err = wordPages(t.ctx, t.rdb, prefix, word)
			return err
		})
		hint := ""
		if isNil(err) {
			hint = "a word no page uses has no hash: HSCAN answers an empty page and cursor 0, not redis.Nil"
		}
		t.noError("WordPages", err, hint)
		want := ix[word]
		if !maps.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.pagesDiffer(prefix+word, want, got)
		}
		t.pageAtATime(prefix+word, want)
	}
}

// pagesDiffer fails WordPages for answering got where the hash at key
// holds want.
func (t *T) pagesDiffer(key string, want, got map[string]int) {
	var missing, wrong, extra []string
	for _, u := range slices.Sorted(maps.Keys(want)) {
		if n, ok := got[u]; !ok {
			missing = append(missing, u)
		} else if n != want[u] {
			wrong = append(wrong, fmt.Sprintf("%s: %d, not %d", u, n, want[u]))
		}
	}
	for _, u := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[u]; !ok {
			extra = append(extra, fmt.Sprintf("%s: %d", u, got[u]))
		}
	}
	r := Result{
		Expected: fmt.Sprintf("the %s of %s", term.Plural(len(want), "page"), key),
		Hint:     "rdb.HScan(ctx, key, cursor, \"\", 100) in a loop: take each page's field, value pairs, and go on with the cursor it answers until that is 0",
	}
	switch {
	case len(missing) > 0:
		r.Message = fmt.Sprintf("WordPages left out %s of %s", term.Plural(len(missing), "page"), key)
		r.Got = fmt.Sprintf("%s, without %s", term.Plural(len(got), "page"), firstFew(missing))
		if c, ok := t.rec.unfinishedScan("hscan"); ok {
			r.Message += fmt.Sprintf(": your last HSCAN answered cursor %d, which you did not follow", c)
		}
	case len(wrong) > 0:
		r.Message = fmt.Sprintf("WordPages gave the wrong counts for %s of %s", term.Plural(len(wrong), "page"), key)
		r.Got = firstFew(wrong)
		r.Hint = "each HSCAN page alternates field, value: the URL, then its count (strconv.Atoi)"
	default:
		r.Message = fmt.Sprintf("WordPages answered pages that %s does not list", key)
		r.Got = firstFew(extra)
		r.Hint = "read only the hash at prefix+word, and only its fields (the even elements of a page) as URLs"
	}
	t.fail(r)
}

// pageAtATime fails WordPages when one reply carried the whole hash at
// key, which holds pages: all of its URLs, or all of its counts.
func (t *T) pageAtATime(key string, pages map[string]int) {
	// Redis answers HSCAN of a hash it keeps compact at once, whatever the
	// COUNT: how small that is, is the server's configuration. The
	// grader's own HSCAN says.
	if _, cursor, err := t.rdb.HScan(t.ctx, key, 0, "", 10).Result(); err != nil || cursor == 0 {
		return
	}
	for _, reply := range t.rec.eachReply() {
		urls, counts := 0, 0
		for _, s := range reply {
			if _, ok := pages[s]; ok {
				urls++
			} else if _, err := strconv.Atoi(s); err == nil {
				counts++
			}
		}
		if n := max(urls, counts); n >= len(pages) {
			t.fail(Result{
				Message: fmt.Sprintf("broke a rule: %s (one reply carried all %d pages of %s)",
					RulePageAtATime.Name, len(pages), key),
				Rule: RulePageAtATime.Name, Why: RulePageAtATime.Why,
				Sent: t.sentLines(),
				Hint: "rdb.HScan(ctx, key, cursor, \"\", 100): a page of about 100 fields per reply, and the cursor to go on",
			})
		}
	}
}
