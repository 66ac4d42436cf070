package redisbasics

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Exercise 1: store a value as JSON.
//
// A Redis string holds bytes, not Go values. JSON turns most Go values
// (maps, slices, structs with exported fields) into bytes that any language
// can read back, so one string can hold a whole record.

// SaveJSON stores v at key as one JSON string.
//
// Turn v into JSON with json.Marshal and store the bytes with SET
// (rdb.Set(ctx, key, b, 0)). Some values have no JSON form (a channel, a
// func): then return json.Marshal's error and store nothing.
func SaveJSON(ctx context.Context, rdb *redis.Client, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("saving %s: %w", key, err)
	}
	return rdb.Set(ctx, key, b, 0).Err()
}

// LoadJSON reads the JSON string at key into dst, which is a pointer, as
// for json.Unmarshal.
//
// Read it with GET. When the key does not exist, go-redis answers with the
// error redis.Nil: return that error, as it is or wrapped with %w, so that
// the caller can tell "no such key" from a failure with
// errors.Is(err, redis.Nil).
func LoadJSON(ctx context.Context, rdb *redis.Client, key string, dst any) error {
	b, err := rdb.Get(ctx, key).Bytes()
	if err != nil {
		// %w, not %v: the caller's errors.Is(err, redis.Nil) looks
		// through the wrapping.
		return fmt.Errorf("loading %s: %w", key, err)
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return fmt.Errorf("loading %s: %w", key, err)
	}
	return nil
}
