package redisbasics

import (
	"context"
	"errors"

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
	return nil, errors.New("not done yet: write BigAnagramLists in exercises/redisbasics/04_anagram_lists.go")
}
