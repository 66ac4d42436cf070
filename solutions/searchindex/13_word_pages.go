package searchindex

import (
	"context"
	"fmt"
	"strconv"

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
	pages := map[string]int{}
	var cursor uint64
	for {
		kv, next, err := rdb.HScan(ctx, prefix+word, cursor, "", 100).Result()
		if err != nil {
			return nil, err
		}
		for i := 0; i+1 < len(kv); i += 2 {
			n, err := strconv.Atoi(kv[i+1])
			if err != nil {
				return nil, fmt.Errorf("%s: page %s has count %q: %w", prefix+word, kv[i], kv[i+1], err)
			}
			pages[kv[i]] = n
		}
		if cursor = next; cursor == 0 {
			return pages, nil
		}
	}
}
