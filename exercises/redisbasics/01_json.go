package redisbasics

import (
	"context"
	"errors"

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
	return errors.New("not done yet: write SaveJSON in exercises/redisbasics/01_json.go")
}

// LoadJSON reads the JSON string at key into dst, which is a pointer, as
// for json.Unmarshal.
//
// Read it with GET. When the key does not exist, go-redis answers with the
// error redis.Nil: return that error, as it is or wrapped with %w, so that
// the caller can tell "no such key" from a failure with
// errors.Is(err, redis.Nil).
func LoadJSON(ctx context.Context, rdb *redis.Client, key string, dst any) error {
	return errors.New("not done yet: write LoadJSON in exercises/redisbasics/01_json.go")
}
