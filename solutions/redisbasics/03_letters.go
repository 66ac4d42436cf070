package redisbasics

import (
	"context"
	"fmt"
	"strconv"
	"unicode"

	"github.com/redis/go-redis/v9"
)

// Exercise 3: count letters into a hash.
//
// A Redis hash maps fields to values inside one key, like a Go
// map[string]string: HSET sets fields, HGET reads one, HSCAN walks them.

// StoreLetterCounts counts the letters of text and stores the counts at key
// as a hash from each letter to its count: "Hello" gives
// {"H": 1, "e": 1, "l": 2, "o": 1}.
//
// A letter is a rune for which unicode.IsLetter is true (so "é" and "Ж"
// count; digits, spaces and punctuation do not), with its case kept: "H" and
// "h" are different fields. The hash replaces whatever was at key before,
// even a value of another type; when text has no letters, key is left
// deleted (Redis has no empty hashes).
//
// Count in Go first, then store every field with one HSET.
func StoreLetterCounts(ctx context.Context, rdb *redis.Client, key, text string) error {
	counts := map[string]any{}
	for _, r := range text { // range over a string gives runes, not bytes
		if unicode.IsLetter(r) {
			n, _ := counts[string(r)].(int)
			counts[string(r)] = n + 1
		}
	}
	// DEL and HSET in one transaction: no reader ever sees the key
	// missing, or old fields mixed with new ones.
	_, err := rdb.TxPipelined(ctx, func(tx redis.Pipeliner) error {
		tx.Del(ctx, key)
		if len(counts) > 0 { // HSET with no fields is an error
			tx.HSet(ctx, key, counts)
		}
		return nil
	})
	return err
}

// LetterCounts reads the hash at key into a map from field to count; a
// missing key gives an empty map.
//
// Read it by iterating with HSCAN (rdb.HScan), not with HGETALL: HSCAN
// answers a page of fields at a time, with a cursor to pass to the next
// call; the walk is over when the cursor comes back 0.
func LetterCounts(ctx context.Context, rdb *redis.Client, key string) (map[string]int, error) {
	counts := map[string]int{}
	var cursor uint64
	for {
		page, next, err := rdb.HScan(ctx, key, cursor, "", 100).Result()
		if err != nil {
			return nil, err
		}
		for i := 0; i+1 < len(page); i += 2 { // field, value, field, value...
			n, err := strconv.Atoi(page[i+1])
			if err != nil {
				return nil, fmt.Errorf("field %q of %s: %w", page[i], key, err)
			}
			counts[page[i]] = n
		}
		if next == 0 {
			return counts, nil
		}
		cursor = next
	}
}
