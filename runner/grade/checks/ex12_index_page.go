package checks

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/term"
)

type indexPageFunc = func(ctx context.Context, rdb *redis.Client, prefix, url string, words []string) error

// RuleOnePageOneTrip is exercise 12's rule.
var RuleOnePageOneTrip = Rule{
	Name: "index a page in one round trip",
	Why: "a page is listed under a hundred words or more, and each round trip waits on the network: at " +
		"1 ms to the server, a corpus of 10,000 pages takes 20 minutes one HSET at a time, and 10 s with " +
		"a pipeline per page.",
}

func checkIndexPage(t *T) {
	indexPage := lookup[indexPageFunc](t, "IndexPage")
	prefix := t.key(fmt.Sprintf("Index%d:", t.rnd.IntN(1000)))
	vocab := vocabulary(t.rnd, 400)
	urls := pageURLs(t.rnd, 12)
	// Pages indexed already, sharing words with the new ones: their
	// entries must stay.
	want := index{}
	for _, u := range urls[:8] {
		want.add(u, listed(pageCounts(t.rnd, vocab, 40+t.rnd.IntN(40), 20)))
	}
	t.storeIndex(prefix, want)
	hint := "count the words in a map, then HSET prefix+word url count for each word counted at least 3 times"

	index := func(url string, counts map[string]int) {
		words := pageWords(t.rnd, counts)
		err := t.call("IndexPage", []any{prefix, url, words}, func() error { return indexPage(t.ctx, t.rdb, prefix, url, words) })
		t.noError("IndexPage", err, "")
		want.add(url, listed(counts))
		t.indexIs("IndexPage", prefix, want, url, counts, "indexed", hint)
		_, trips := t.rec.sent()
		if trips > 1 {
			t.fail(Result{
				Message: fmt.Sprintf("broke a rule: %s (IndexPage took %d round trips for a page listed under %s)",
					RuleOnePageOneTrip.Name, trips, term.Plural(len(listed(counts)), "word")),
				Rule: RuleOnePageOneTrip.Name, Why: RuleOnePageOneTrip.Why,
				Sent: t.sentLines(),
				Hint: "queue every HSET in one rdb.Pipelined (or rdb.TxPipelined): the pipeline sends them all, and " +
					"their replies come back, in one round trip, however many there are",
			})
		}
	}
	// A small page, as the chapter's first; a big one, listed under more
	// words than a batch of 100; and one that uses no word 3 times.
	index(urls[8], pageCounts(t.rnd, vocab, 6+t.rnd.IntN(5), 10))
	index(urls[9], pageCounts(t.rnd, vocab, 130+t.rnd.IntN(60), 60))
	index(urls[10], pageCounts(t.rnd, vocab, 0, 30))
	index(urls[11], pageCounts(t.rnd, vocab, 40+t.rnd.IntN(40), 40))
}
