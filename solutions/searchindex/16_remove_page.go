package searchindex

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// Exercise 16: remove a page from the index.
//
// A page is gone from the Web, and must go from the index: from every
// word's hash that lists it. The index, as the book keeps it, has no list
// of a page's words: only the words' hashes know, and the database holds
// other keys too.

// RemovePage removes the page at url from every hash of the index (the
// keys that start with prefix), and touches nothing else: other pages stay
// listed, and keys outside the index stay as they are. A hash whose only
// page was url is left empty, and so deleted (HDEL does that).
//
// Find the index's keys with SCAN MATCH prefix*, following the cursor
// until it comes back 0: a page of SCAN may be empty before the end. HDEL
// url from each, a page of keys per pipeline. Never fetch every key in one
// reply (KEYS, or a SCAN COUNT as big as the database).
func RemovePage(ctx context.Context, rdb *redis.Client, prefix, url string) error {
	pattern := prefix + "*"
	var cursor uint64
	for {
		keys, next, err := rdb.Scan(ctx, cursor, pattern, 100).Result()
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			_, err := rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
				for _, key := range keys {
					pipe.HDel(ctx, key, url)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}
