package redisbasics

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// Exercise 2: push and pop at the front of a list.
//
// A Redis list is a linked list: adding or removing at either end takes the
// same short time however long it is, which makes it a good queue.

// PushFront adds values at the front of the list at key, so that afterwards
// the list begins with values in the order given: after
//
//	PushFront(ctx, rdb, "q", "a", "b")
//
// on the list [x y], it is [a b x y]. Redis creates the list if it does not
// exist. With no values it does nothing.
//
// Mind what LPUSH does to order: LPUSH q a b pushes a, then b in front of
// it, and leaves [b a x y].
func PushFront(ctx context.Context, rdb *redis.Client, key string, values ...string) error {
	if len(values) == 0 {
		return nil // LPUSH needs at least one value
	}
	// LPUSH puts each value in front of the one before, so the last value
	// pushed comes first: push them last to first.
	reversed := make([]any, len(values))
	for i, v := range values {
		reversed[len(values)-1-i] = v
	}
	return rdb.LPush(ctx, key, reversed...).Err()
}

// PopFront removes up to n values from the front of the list at key and
// returns them, front first. When the list has fewer than n values it
// removes and returns them all; when it is empty or missing, or n is 0, it
// removes nothing and returns no values and no error.
//
// LPOP takes a count (rdb.LPopCount), and answers redis.Nil when there is
// nothing to pop.
func PopFront(ctx context.Context, rdb *redis.Client, key string, n int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	// One LPOP with a count reads and removes in one step, so no other
	// client can push or pop in between.
	values, err := rdb.LPopCount(ctx, key, n).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil // an empty or missing list: nothing to pop is no error here
	}
	return values, err
}
