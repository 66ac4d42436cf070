package redisbasics

import (
	"context"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Exercise 4: find big anagram lists with SCAN.
//
// The chapter stores each set of anagrams as a list under a key made of a
// prefix and the words' signature (their letters, sorted): the list at
// "Anagram:aelst" holds least, slate, stale, steal, tales, teals.

// BigAnagramLists returns the lists whose keys start with prefix and that
// have at least min elements, each in list order, the lists sorted by their
// first word.
//
// Find the keys with SCAN (rdb.Scan with the pattern prefix+"*"), never
// with KEYS: KEYS walks every key of the database in one command, and a busy
// server answers nobody else until it is done. SCAN answers a page at a
// time, with a cursor for the next call; the walk is over when the cursor
// comes back 0. Then ask LLEN how long each list is, and fetch (LRANGE key
// 0 -1) only those that are long enough. No list: an empty result, no error.
func BigAnagramLists(ctx context.Context, rdb *redis.Client, prefix string, min int) ([][]string, error) {
	var lists [][]string
	seen := map[string]bool{} // SCAN may return a key twice while the server resizes
	pattern := globEscape(prefix) + "*"
	var cursor uint64
	for {
		keys, next, err := rdb.Scan(ctx, cursor, pattern, 100).Result()
		if err != nil {
			return nil, err
		}
		var fresh []string
		for _, k := range keys {
			if !seen[k] {
				seen[k] = true
				fresh = append(fresh, k)
			}
		}
		// One round trip for the page's lengths, one for the long lists,
		// rather than one per key.
		lens := make([]*redis.IntCmd, len(fresh))
		if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, k := range fresh {
				lens[i] = p.LLen(ctx, k)
			}
			return nil
		}); err != nil {
			return nil, err
		}
		var ranges []*redis.StringSliceCmd
		if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, k := range fresh {
				if n := lens[i].Val(); n > 0 && n >= int64(min) {
					ranges = append(ranges, p.LRange(ctx, k, 0, -1))
				}
			}
			return nil
		}); err != nil {
			return nil, err
		}
		for _, r := range ranges {
			lists = append(lists, r.Val())
		}
		if next == 0 {
			break
		}
		cursor = next
	}
	slices.SortFunc(lists, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return lists, nil
}

// globEscape quotes the characters that SCAN's MATCH pattern treats
// specially, so that a prefix such as "user[1]:" matches only itself.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
