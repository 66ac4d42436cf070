package searchindex

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// Exercise 14: an AND query ranked by TF-IDF, computed in Redis.
//
// ZINTERSTORE reads sorted sets, not hashes, so for ranking the index
// keeps each word's pages also in a sorted set, at prefix+word: a page's
// URL scored by the number of times it uses the word (the same pages and
// counts as the word's hash). A word that many pages use says little about
// any of them: TF-IDF weighs a page's count of a word (its term frequency)
// by the word's inverse document frequency, ln(N / df), where N is the
// number of pages in the corpus and df the number of pages listed under
// the word.

// Search returns the k pages that use every one of words, best first,
// each with its score: the sum, over the words, of the page's count of the
// word times ln(pages / df), df being the number of pages in the word's
// sorted set and pages the number of pages in the corpus. Pages with equal
// scores may come in any order; with fewer than k pages that have every
// word, all of them; none when a word has no pages.
//
// Compute the scores in Redis, and fetch only the top: ZCARD each word's
// set for its df, then ZINTERSTORE into a key of your own with a weight
// per word (rdb.ZInterStore with redis.ZStore{Keys, Weights}), ZREVRANGE
// that key 0 k-1 WITHSCORES (rdb.ZRevRangeWithScores), and delete it (or
// let it expire). Never fetch the words' whole sets to rank them in Go:
// the replies may carry the top k, not the index. Leave the index as it
// is.
func Search(ctx context.Context, rdb *redis.Client, prefix string, pages int, words []string, k int) ([]redis.Z, error) {
	return nil, errors.New("not done yet: write Search in exercises/searchindex/14_search.go")
}
