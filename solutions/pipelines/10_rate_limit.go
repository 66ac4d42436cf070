package pipelines

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// Exercise 10: a rate limiter.
//
// An API lets each client make at most limit calls per window of window
// seconds. The count of a client's calls lives in Redis, at key, so that
// every server of the API shares it.

// Allow counts one call at key and says whether it is allowed: true for
// the first limit calls of a window, false for the others. A window starts
// with the first call after the last one ended, and lasts window seconds:
// then the count starts again from 0. Denied calls count too (the counter
// holds every call of the window), but never move the window's end. Other
// servers of the API call Allow at the same time: decide on the count INCR
// answers with this call, never on a read made before it.
//
// INCR counts on the server. The counter needs a time to live, set when
// the window starts, and never left out: send INCR and the EXPIRE together,
// in one round trip (rdb.TxPipelined), since an INCR whose EXPIRE is lost
// (the program stopped in between) leaves a counter that never resets, and
// a client locked out for ever. EXPIRE … NX (ExpireNX) sets a time to live
// only on a key that has none, so the window's end stays where it is. (One
// Lua script that does both, run with EVAL, is atomic and one round trip
// too; the grader's embedded server runs it, a real one does not.)
func Allow(ctx context.Context, rdb *redis.Client, key string, limit, window int) (bool, error) {
	var count *redis.IntCmd
	_, err := rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		count = pipe.Incr(ctx, key)
		pipe.ExpireNX(ctx, key, time.Duration(window)*time.Second)
		return nil
	})
	if err != nil {
		return false, err
	}
	return count.Val() <= int64(limit), nil
}
