package pipelines

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Exercise 11: an atomic transfer with WATCH.
//
// Two balances, integers at the keys from and to: a transfer moves amount
// from one to the other, all or nothing, and never lets from go below 0,
// however many other clients change the balances at the same time.

// Transfer moves amount from the balance at from to the balance at to.
// When from holds less than amount, it moves nothing and returns an error;
// a balance that equals amount covers it. No write may make a balance
// negative, not even one undone later: other clients would see it.
//
// The check needs the balance, and the commands of a MULTI/EXEC
// transaction only run at EXEC, so read first, and WATCH the keys you
// read (rdb.Watch): if another client changes one before your EXEC, the
// transaction does nothing and go-redis returns redis.TxFailedErr. Then
// read again and retry, up to 10 attempts in all, after which return an
// error: a retry without a bound never returns while other clients keep
// changing the balances. Write with DECRBY and INCRBY in tx.TxPipelined,
// inside Watch's function.
func Transfer(ctx context.Context, rdb *redis.Client, from, to string, amount int) error {
	for range 10 {
		err := rdb.Watch(ctx, func(tx *redis.Tx) error {
			balance, err := tx.Get(ctx, from).Int()
			if err != nil && !errors.Is(err, redis.Nil) {
				return err
			}
			if balance < amount {
				return fmt.Errorf("%s holds %d, cannot send %d", from, balance, amount)
			}
			_, err = tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
				pipe.DecrBy(ctx, from, int64(amount))
				pipe.IncrBy(ctx, to, int64(amount))
				return nil
			})
			return err
		}, from)
		if !errors.Is(err, redis.TxFailedErr) {
			return err
		}
	}
	return errors.New("too much contention: gave up after 10 attempts")
}
