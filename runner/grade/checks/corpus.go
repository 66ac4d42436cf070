package checks

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/term"
)

// Chapter 3's exercises (package searchindex) work on the book's index: a
// hash per word, at prefix+word, from a page's URL to the number of times
// the page uses the word, for words a page uses at least 3 times. The
// checks make their pages from the seed, as Go values: a page is its URL
// and its words, already split and lower-cased.

// minCount is how many times a page must use a word to be listed under it.
const minCount = 3

// chapterWords are words of the kind the chapter's corpus has, so that a
// message reads like an index; the rest are made up from the seed.
var chapterWords = []string{
	"redis", "index", "hash", "page", "word", "count", "query", "search", "server", "client",
	"pipeline", "cursor", "scan", "score", "rank", "go", "package", "function", "value", "key",
}

// vocabulary is n distinct words: the chapter's first, then made up ones
// of 3 to 9 letters.
func vocabulary(rnd *rand.Rand, n int) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range chapterWords {
		if len(out) < n {
			seen[w] = true
			out = append(out, w)
		}
	}
	for len(out) < n {
		b := make([]byte, 3+rnd.IntN(7))
		for i := range b {
			b[i] = byte('a' + rnd.IntN(26))
		}
		if w := string(b); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	rnd.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// pageURLs are n distinct URLs of documentation pages, short enough for
// Redis's compact hashes.
func pageURLs(rnd *rand.Rand, n int) []string {
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		u := fmt.Sprintf("https://docs.example.org/%s/%d.html", chapterWords[rnd.IntN(len(chapterWords))], rnd.IntN(100_000))
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}

// pageWords spells out a page that uses each word of counts that many
// times, in a shuffled order.
func pageWords(rnd *rand.Rand, counts map[string]int) []string {
	var out []string
	for _, w := range slices.Sorted(maps.Keys(counts)) {
		for range counts[w] {
			out = append(out, w)
		}
	}
	rnd.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// pageCounts picks a page's counts from vocab: frequent words used 3 to
// 12 times (some exactly 3), and rare ones used once or twice (some
// exactly 2), so that the line between listed and not is tested.
func pageCounts(rnd *rand.Rand, vocab []string, frequent, rare int) map[string]int {
	counts := map[string]int{}
	for _, i := range rnd.Perm(len(vocab))[:frequent+rare] {
		w := vocab[i]
		switch n := len(counts); {
		case n < frequent/4:
			counts[w] = minCount
		case n < frequent:
			counts[w] = minCount + 1 + rnd.IntN(10)
		case n < frequent+rare/2:
			counts[w] = minCount - 1
		default:
			counts[w] = 1 + rnd.IntN(minCount-1)
		}
	}
	return counts
}

// listed is what a page with these counts adds to the index: the words it
// uses at least 3 times.
func listed(counts map[string]int) map[string]int {
	out := map[string]int{}
	for w, n := range counts {
		if n >= minCount {
			out[w] = n
		}
	}
	return out
}

// wordCounts counts words.
func wordCounts(words []string) map[string]int {
	out := map[string]int{}
	for _, w := range words {
		out[w]++
	}
	return out
}

// An index is what the grader expects the index to hold: word → URL →
// count. No word has an empty map: Redis deletes an empty hash.
type index map[string]map[string]int

func (ix index) set(word, url string, n int) {
	if ix[word] == nil {
		ix[word] = map[string]int{}
	}
	ix[word][url] = n
}

func (ix index) del(word, url string) {
	delete(ix[word], url)
	if len(ix[word]) == 0 {
		delete(ix, word)
	}
}

// add lists url under the words of listing.
func (ix index) add(url string, listing map[string]int) {
	for w, n := range listing {
		ix.set(w, url, n)
	}
}

// remove takes url out of every word's hash.
func (ix index) remove(url string) {
	for w := range ix {
		ix.del(w, url)
	}
}

// listing is url's entries: word → count.
func (ix index) listing(url string) map[string]int {
	out := map[string]int{}
	for w, pages := range ix {
		if n, ok := pages[url]; ok {
			out[w] = n
		}
	}
	return out
}

// storeIndex writes ix into Redis with the grader's own commands, a pipeline at
// a time.
func (t *T) storeIndex(prefix string, ix index) {
	words := slices.Sorted(maps.Keys(ix))
	for part := range slices.Chunk(words, 200) {
		pipe := t.rdb.Pipeline()
		for _, w := range part {
			args := []any{}
			for _, u := range slices.Sorted(maps.Keys(ix[w])) {
				args = append(args, u, ix[w][u])
			}
			pipe.HSet(t.ctx, prefix+w, args...)
		}
		if _, err := pipe.Exec(t.ctx); err != nil {
			panic(fmt.Sprintf("storing the index: %v", err))
		}
	}
}

// readIndex reads every hash under prefix, with the grader's own
// commands; a key that is no hash is named in bad.
func (t *T) readIndex(prefix string) (ix index, bad []string) {
	ix = index{}
	var keys []string
	iter := t.rdb.Scan(t.ctx, 0, scanPattern(prefix), 500).Iterator()
	for iter.Next(t.ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		panic(fmt.Sprintf("reading the index: %v", err))
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	// Two pipelines a part: the keys' types, then the hashes' fields.
	for part := range slices.Chunk(keys, 500) {
		types := make([]*redis.StatusCmd, len(part))
		pipe := t.rdb.Pipeline()
		for i, key := range part {
			types[i] = pipe.Type(t.ctx, key)
		}
		if _, err := pipe.Exec(t.ctx); err != nil {
			panic(fmt.Sprintf("reading the index: %v", err))
		}
		fields := make([]*redis.MapStringStringCmd, len(part))
		pipe = t.rdb.Pipeline()
		for i, key := range part {
			if typ := types[i].Val(); typ != "hash" {
				bad = append(bad, fmt.Sprintf("%s is a %s", key, typ))
				continue
			}
			fields[i] = pipe.HGetAll(t.ctx, key)
		}
		if _, err := pipe.Exec(t.ctx); err != nil {
			panic(fmt.Sprintf("reading the index: %v", err))
		}
		for i, key := range part {
			if fields[i] == nil {
				continue
			}
			word := strings.TrimPrefix(key, prefix)
			for u, v := range fields[i].Val() {
				n, err := strconv.Atoi(v)
				if err != nil {
					bad = append(bad, fmt.Sprintf("%s has %s = %q, not a count", key, u, v))
					continue
				}
				ix.set(word, u, n)
			}
		}
	}
	return ix, bad
}

// scanPattern matches the keys that start with prefix.
func scanPattern(prefix string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "?", `\?`, "[", `\[`).Replace(prefix) + "*"
}

// indexIs fails fn when the index under prefix is not want. url is the
// page fn was working on, uses its counts of words (its version that
// should be listed now), and what says what fn did ("indexed", "re-indexed").
func (t *T) indexIs(fn, prefix string, want index, url string, uses map[string]int, what, hint string) {
	got, bad := t.readIndex(prefix)
	// stillListed (the page under words it no longer uses at all) comes
	// first in what the report shows, ahead of the other mistakes, which
	// are cut after a few: it is the one that says most of the bug.
	var stillListed, wrongPage, wrongOthers []string
	words := map[string]bool{}
	for w := range got {
		words[w] = true
	}
	for w := range want {
		words[w] = true
	}
	for _, w := range slices.Sorted(maps.Keys(words)) {
		g, wnt := got[w], want[w]
		if _, ok := g[url]; wnt == nil && !ok {
			// Neither url's nor another page's: a key the index has no
			// use for (a hash per page, say).
			bad = append(bad, fmt.Sprintf("%s, a hash of %s", prefix+w, firstFew(slices.Sorted(maps.Keys(g)))))
			continue
		}
		gn, gok := g[url]
		wn, wok := wnt[url]
		switch {
		case gok && !wok && uses[w] > 0:
			wrongPage = append(wrongPage, fmt.Sprintf("listed under %q, which it uses %s", w, term.Plural(uses[w], "time")))
		case gok && !wok:
			stillListed = append(stillListed, fmt.Sprintf("still listed under %q (count %d)", w, gn))
		case !gok && wok:
			wrongPage = append(wrongPage, fmt.Sprintf("not listed under %q, which it uses %s", w, term.Plural(wn, "time")))
		case gok && gn != wn:
			wrongPage = append(wrongPage, fmt.Sprintf("listed under %q with count %d, but it uses the word %s", w, gn, term.Plural(wn, "time")))
		}
		for _, u := range slices.Sorted(maps.Keys(wnt)) {
			if u == url {
				continue
			}
			if gn, ok := g[u]; !ok {
				wrongOthers = append(wrongOthers, fmt.Sprintf("%s lost %s (count %d)", prefix+w, u, wnt[u]))
			} else if gn != wnt[u] {
				wrongOthers = append(wrongOthers, fmt.Sprintf("%s has %s = %d, not %d", prefix+w, u, gn, wnt[u]))
			}
		}
		for _, u := range slices.Sorted(maps.Keys(g)) {
			if _, ok := wnt[u]; !ok && u != url {
				wrongOthers = append(wrongOthers, fmt.Sprintf("%s lists %s, which it did not", prefix+w, u))
			}
		}
	}
	wrongPage = append(stillListed, wrongPage...)
	switch {
	case len(bad) > 0:
		t.fail(Result{
			Message:  fmt.Sprintf("%s left keys under %s that the index has no use for", fn, prefix),
			Expected: fmt.Sprintf("a hash per word at %sWORD, from a page's URL to its count", prefix),
			Got:      firstFew(bad),
			Hint:     hint,
		})
	case len(wrongOthers) > 0:
		t.fail(Result{
			Message:  fmt.Sprintf("%s changed other pages' entries in the index: only %s's may change", fn, url),
			Expected: "every other page listed as before, under the same words with the same counts",
			Got:      firstFew(wrongOthers),
			Hint:     "touch only the field url of each word's hash (HSET, HDEL); DEL or a new hash drops the other pages listed there",
		})
	case len(wrongPage) > 0:
		t.fail(Result{
			Message:  fmt.Sprintf("%s left the wrong entries for the page it %s: %s", fn, what, url),
			Expected: fmt.Sprintf("%s listed under %s: those it uses at least %d times, with its counts", url, term.Plural(len(want.listing(url)), "word"), minCount),
			Got:      firstFew(wrongPage),
			Hint:     hint,
		})
	}
}
