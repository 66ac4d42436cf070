package pipelines

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// Exercise 8: a cache with a time to live.
//
// A slow store, a hash at source, holds each record's value in a field
// (HGET source field); a cache in front of it keeps copies, each a string
// at source+":cache:"+field, for ttl seconds. A cached copy must never be
// left without its time to live, not even between two round trips: a copy
// without one is never refreshed, and the cache grows without bound.

// Lookup returns field's value: from the cache when it holds a copy,
// without touching source; otherwise from source, then storing the copy
// with a time to live of ttl seconds. An empty value is a value like any
// other: cached, and then found in the cache. A field source does not have
// is an error that errors.Is(err, redis.Nil) recognizes, and nothing is
// cached.
//
// Set the value and its time to live together: in one command, SET … EX
// (rdb.Set(ctx, key, value, ttl)), or a SET and its EXPIRE in one round
// trip (one pipeline, or better one MULTI/EXEC transaction). A SET followed
// by an EXPIRE in a later round trip leaves a moment in which the copy has
// none.
func Lookup(ctx context.Context, rdb *redis.Client, source, field string, ttl int) (string, error) {
	return "", errors.New("not done yet: write Lookup in exercises/pipelines/08_cache.go")
}

// Update writes value into field at source, and makes the cache agree:
// either its copy holds value with a fresh time to live of ttl seconds
// (all of it again, not what the old copy had left), or there is no copy,
// so that the next Lookup reads source. A plain SET of the copy would drop
// its time to live: pass ttl on every write.
func Update(ctx context.Context, rdb *redis.Client, source, field, value string, ttl int) error {
	return errors.New("not done yet: write Update in exercises/pipelines/08_cache.go")
}
