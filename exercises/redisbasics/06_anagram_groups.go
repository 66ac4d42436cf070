package redisbasics

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// Exercise 6: read big anagram groups with HSCAN.

// BigAnagramGroups reads the hash that StoreAnagramHash wrote at key and
// returns the groups that have at least min words, each decoded from its
// JSON array with its words in order, the groups sorted by their first word.
// A missing key: an empty result, no error.
//
// Read the hash by iterating with HSCAN (rdb.HScan), not with HGETALL, HKEYS
// or HVALS, which answer with the whole hash at once: HSCAN's pages
// alternate field and value, and the walk is over when the cursor comes
// back 0.
func BigAnagramGroups(ctx context.Context, rdb *redis.Client, key string, min int) ([][]string, error) {
	return nil, errors.New("not done yet: write BigAnagramGroups in exercises/redisbasics/06_anagram_groups.go")
}
