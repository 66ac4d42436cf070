package checks

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/term"
)

type searchFunc = func(ctx context.Context, rdb *redis.Client, prefix string, pages int, words []string, k int) ([]redis.Z, error)

// RuleRankInRedis is exercise 14's rule, judged by how many pages the
// replies carried, whatever the commands.
var RuleRankInRedis = Rule{
	Name: "rank in Redis and fetch only the top, not the words' whole sets",
	Why: "a common word lists most of the corpus. Fetching each word's pages to intersect and rank them " +
		"in Go sends all of them over the network for ten results; ZINTERSTORE with WEIGHTS intersects " +
		"and scores them where they are, and ZREVRANGE 0 k-1 sends only the top.",
}

// A hit is one page of a search's answer.
type hit struct {
	url   string
	score float64
}

func checkSearch(t *T) {
	search := lookup[searchFunc](t, "Search")
	prefix := t.key(fmt.Sprintf("Rank%d:", t.rnd.IntN(1000)))
	n := 150 + t.rnd.IntN(100)
	urls := pageURLs(t.rnd, n)
	vocab := vocabulary(t.rnd, 30)
	// Each word is used by a share of the pages, from a few to all of
	// them (whose weight, ln(N/N), is 0), 3 to 30 times each.
	ix := index{}
	for i, w := range vocab {
		share := []float64{1, 0.9, 0.7, 0.5, 0.35, 0.2, 0.1, 0.04}[i%8]
		for _, j := range t.rnd.Perm(n)[:max(2, int(share*float64(n)))] {
			ix.set(w, urls[j], minCount+t.rnd.IntN(28))
		}
	}
	for _, w := range slices.Sorted(maps.Keys(ix)) {
		var zs []redis.Z
		for _, u := range slices.Sorted(maps.Keys(ix[w])) {
			zs = append(zs, redis.Z{Score: float64(ix[w][u]), Member: u})
		}
		t.rdb.ZAdd(t.ctx, prefix+w, zs...)
	}
	// Keys the index holds, to tell a key left behind by Search.
	indexKeys := map[string]bool{}
	for w := range ix {
		indexKeys[prefix+w] = true
	}

	query := func(words []string, k int) {
		var got []redis.Z
		err := t.call("Search", []any{prefix, n, words, k}, func() (err error) {
			got, err = search(t.ctx, t.rdb, prefix, n, words, k)
			return err
		})
		t.noError("Search", err, "")
		all := tfidf(ix, n, words)
		t.hitsAre(words, k, all, got)
		t.rankedInRedis(words, k, all, ix)
		t.indexUnchanged("Search", prefix, words, ix, indexKeys)
	}
	// A word of the rare kind and a common one; three words; a word used
	// by every page, which weighs nothing; more results asked than there
	// are; and a word no page uses.
	common := []string{vocab[1], vocab[2], vocab[3], vocab[9], vocab[10]}
	query([]string{vocab[2]}, 5+t.rnd.IntN(6))
	query([]string{vocab[1], vocab[3]}, 10)
	query([]string{common[t.rnd.IntN(2)], vocab[4], common[2+t.rnd.IntN(3)]}, 3+t.rnd.IntN(8))
	query([]string{vocab[0], vocab[2]}, 5)
	query([]string{vocab[7], vocab[1]}, 50)
	query([]string{vocab[3], "zzzunused"}, 10)
}

// tfidf ranks the pages that use every one of words, best first: the
// score the task defines, in the order ZREVRANGE gives ties in.
func tfidf(ix index, pages int, words []string) []hit {
	var out []hit
	if len(words) == 0 {
		return nil
	}
	for u := range ix[words[0]] {
		score, all := 0.0, true
		for _, w := range words {
			c, ok := ix[w][u]
			if !ok {
				all = false
				break
			}
			score += float64(c) * math.Log(float64(pages)/float64(len(ix[w])))
		}
		if all {
			out = append(out, hit{u, score})
		}
	}
	slices.SortFunc(out, func(a, b hit) int { return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(b.url, a.url)) })
	return out
}

// sameScore says whether two scores are equal but for rounding: Redis
// sums the weighted counts in an order of its own.
func sameScore(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*max(1, math.Abs(a), math.Abs(b))
}

// hitsAre checks Search's answer: the top k of all, in order of score,
// with any order, and any choice at the cut, among equal scores.
func (t *T) hitsAre(words []string, k int, all []hit, got []redis.Z) {
	want := all[:min(k, len(all))]
	score := map[string]float64{}
	for _, h := range all {
		score[h.url] = h.score
	}
	showHits := func(hs []hit) string {
		var b []string
		for _, h := range hs[:min(len(hs), 5)] {
			b = append(b, fmt.Sprintf("%s %.4f", h.url, h.score))
		}
		if len(hs) > 5 {
			b = append(b, fmt.Sprintf("… (%d in all)", len(hs)))
		}
		if len(b) == 0 {
			return "nothing"
		}
		return strings.Join(b, ", ")
	}
	var gotHits []hit
	for _, z := range got {
		gotHits = append(gotHits, hit{fmt.Sprint(z.Member), z.Score})
	}
	r := Result{Expected: showHits(want), Got: showHits(gotHits)}
	seen := map[string]bool{}
	for i, h := range gotHits {
		s, ok := score[h.url]
		switch {
		case r.Message != "":
		case seen[h.url]:
			r.Message = fmt.Sprintf("Search returned %s twice", h.url)
		case !ok:
			r.Message = fmt.Sprintf("Search returned %s, which does not use every word of the query", h.url)
			r.Hint = "ZINTERSTORE keeps the pages that are in every set; ZUNIONSTORE keeps those in any"
		case !sameScore(s, h.score):
			r.Message = fmt.Sprintf("Search gave %s the score %g; its TF-IDF is %g", h.url, h.score, s)
			r.Hint = "weight each word's set by ln(pages / df), df its ZCARD (math.Log), and let ZINTERSTORE add them up (its default AGGREGATE SUM)"
		case i < len(want) && !sameScore(h.score, want[i].score):
			r.Message = fmt.Sprintf("Search's answer is not the best first: its place %d has the score %g, which should be %g", i+1, h.score, want[i].score)
			r.Hint = "ZREVRANGE lists a sorted set from the highest score down; ZRANGE from the lowest"
		}
		seen[h.url] = true
	}
	if r.Message == "" && len(got) != len(want) {
		r.Message = fmt.Sprintf("Search returned %s; expected %d", term.Plural(len(got), "page"), len(want))
		r.Hint = "ZREVRANGE key 0 k-1 is the first k: its stop is inclusive"
	}
	if r.Message != "" {
		r.Message += fmt.Sprintf(" (the query %q, k = %d, %s with every word)", strings.Join(words, " "), k, term.Plural(len(all), "page"))
		t.fail(r)
	}
}

// rankedInRedis fails Search when its replies carried more pages of the
// words' sets than a top needs: the top k and the pages tied with the
// k-th, twice over for a look past them.
func (t *T) rankedInRedis(words []string, k int, all []hit, ix index) {
	need := min(k, len(all))
	if need > 0 {
		last := all[need-1].score
		for _, h := range all[need:] {
			if sameScore(h.score, last) {
				need++
			}
		}
	}
	most := 2 * max(need, 1)
	pages := map[string]bool{}
	for _, w := range words {
		for u := range ix[w] {
			pages[u] = true
		}
	}
	carried := 0
	for _, s := range t.rec.replies() {
		if pages[s] {
			carried++
		}
	}
	if carried > most && len(pages) > most {
		t.fail(Result{
			Message: fmt.Sprintf("broke a rule: %s (the replies carried %s for a top %d of the query %q, whose words list %s)",
				RuleRankInRedis.Name, term.Plural(carried, "page"), k, strings.Join(words, " "), term.Plural(len(pages), "page")),
			Rule: RuleRankInRedis.Name, Why: RuleRankInRedis.Why,
			Sent: t.sentLines(),
			Hint: "ZINTERSTORE dest with WEIGHTS ranks on the server; ZREVRANGE dest 0 k-1 WITHSCORES fetches the top alone",
		})
	}
}

// indexUnchanged fails fn when it changed the index's sorted sets of
// words, or left a key behind that does not expire: any key its commands
// named that exists now, and is no key of the index.
func (t *T) indexUnchanged(fn, prefix string, words []string, ix index, indexKeys map[string]bool) {
	for _, w := range words {
		zs, err := t.rdb.ZRangeWithScores(t.ctx, prefix+w, 0, -1).Result()
		got := map[string]int{}
		for _, z := range zs {
			got[fmt.Sprint(z.Member)] = int(z.Score)
		}
		if err != nil || !maps.Equal(got, ix[w]) {
			t.fail(Result{
				Message:  fmt.Sprintf("%s changed the index: the sorted set %s is not what it was", fn, prefix+w),
				Expected: fmt.Sprintf("%s, as before", term.Plural(len(ix[w]), "page")),
				Got:      fmt.Sprintf("%s (%v)", term.Plural(len(got), "page"), err),
				Sent:     t.sentLines(),
				Hint:     "store the intersection in a key of your own, never in a word's set",
			})
		}
	}
	cmds, _ := t.rec.sent()
	named := map[string]bool{}
	for _, c := range cmds {
		for _, a := range c.args[1:] {
			if s, ok := a.(string); ok && !indexKeys[s] && len(named) < 200 {
				named[s] = true
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(named)) {
		if ttl, err := t.rdb.PTTL(t.ctx, key).Result(); err == nil && ttl == -1 {
			t.fail(Result{
				Message:  fmt.Sprintf("%s left the key %s behind", fn, key),
				Expected: "no key left that does not expire: the index as it was",
				Got:      fmt.Sprintf("%s, with no time to live", key),
				Sent:     t.sentLines(),
				Hint:     "DEL the key you stored the intersection in, in the same transaction as the ZREVRANGE (or give it an EXPIRE)",
			})
		}
	}
}
