package redisbasics

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

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
	var groups [][]string
	seen := map[string]bool{} // HSCAN may return a field twice while the server resizes
	iter := rdb.HScan(ctx, key, 0, "", 100).Iterator()
	for iter.Next(ctx) {
		field := iter.Val()
		if !iter.Next(ctx) { // the value that follows its field
			break
		}
		if seen[field] {
			continue
		}
		seen[field] = true
		var words []string
		if err := json.Unmarshal([]byte(iter.Val()), &words); err != nil {
			return nil, fmt.Errorf("field %q of %s: %w", field, key, err)
		}
		if len(words) > 0 && len(words) >= min {
			groups = append(groups, words)
		}
	}
	if err := iter.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(groups, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return groups, nil
}
