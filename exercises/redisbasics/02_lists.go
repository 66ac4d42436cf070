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
	return errors.New("not done yet: write PushFront in exercises/redisbasics/02_lists.go")
}

// PopFront removes up to n values from the front of the list at key and
// returns them, front first. When the list has fewer than n values it
// removes and returns them all; when it is empty or missing, or n is 0, it
// removes nothing and returns no values and no error.
//
// LPOP takes a count (rdb.LPopCount), and answers redis.Nil when there is
// nothing to pop.
func PopFront(ctx context.Context, rdb *redis.Client, key string, n int) ([]string, error) {
	return nil, errors.New("not done yet: write PopFront in exercises/redisbasics/02_lists.go")
}
