package redisbasics

import (
	"context"
	"errors"

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
	return errors.New("not done yet: write StoreLetterCounts in exercises/redisbasics/03_letters.go")
}

// LetterCounts reads the hash at key into a map from field to count; a
// missing key gives an empty map.
//
// Read it by iterating with HSCAN (rdb.HScan), not with HGETALL: HSCAN
// answers a page of fields at a time, with a cursor to pass to the next
// call; the walk is over when the cursor comes back 0.
func LetterCounts(ctx context.Context, rdb *redis.Client, key string) (map[string]int, error) {
	return nil, errors.New("not done yet: write LetterCounts in exercises/redisbasics/03_letters.go")
}
