package redisbasics

import (
	"context"
	"encoding/json"

	"github.com/redis/go-redis/v9"
)

// Exercise 5: store anagram groups in one hash.
//
// Instead of a key per group, the chapter's second design keeps every group
// in one hash: fewer keys, and one write for all of them.

// StoreAnagramHash stores groups, which maps a signature to its words, as
// one hash at key: a field per signature, whose value is the JSON array of
// the words in their order, e.g. field "aelst", value
// ["least","slate","stale"]. With no groups it writes nothing.
//
// Write every field in one round trip: one HSET with all the fields (or
// one pipeline), not a command per group, each of which would wait for the
// network.
func StoreAnagramHash(ctx context.Context, rdb *redis.Client, key string, groups map[string][]string) error {
	if len(groups) == 0 {
		return nil // HSET with no fields is an error
	}
	fields := make(map[string]any, len(groups))
	for signature, words := range groups {
		b, err := json.Marshal(words)
		if err != nil {
			return err
		}
		fields[signature] = b
	}
	return rdb.HSet(ctx, key, fields).Err()
}
