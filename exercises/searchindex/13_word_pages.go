package searchindex

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// Exercise 13: a word's pages, a page of the hash at a time.
//
// A common word is listed by most of the corpus: its hash holds thousands
// of pages. HGETALL would answer with all of them in one reply, which the
// server builds while every other client waits; HSCAN answers a page at a
// time, and a cursor says where to go on.

// WordPages returns the pages listed under word, from the hash at
// prefix+word: each page's URL with its count. A word that no page uses
// (no hash) has no pages: an empty map, and no error.
//
// Read the hash with HSCAN (rdb.HScan(ctx, key, cursor, "", 100)) in a
// loop, following the cursor each reply gives until it comes back 0; each
// page of the reply alternates field, value. Never fetch the whole hash
// in one reply: not with HGETALL, HKEYS or HVALS, nor with an HSCAN COUNT
// as big as the hash.
func WordPages(ctx context.Context, rdb *redis.Client, prefix, word string) (map[string]int, error) {
	return nil, errors.New("not done yet: write WordPages in exercises/searchindex/13_word_pages.go")
}
