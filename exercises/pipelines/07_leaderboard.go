package pipelines

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// Exercise 7: a leaderboard in a sorted set.
//
// A game keeps its players' points in one sorted set: each member is a
// player's name, its score the player's points.

// AddScore adds points, which may be negative or not whole (2.5), to
// name's score on the leaderboard at key; a player who is not there yet
// starts from 0.
//
// Add on the server, with ZINCRBY: reading the score, adding in Go and
// writing the sum back loses points when two games end at the same time.
func AddScore(ctx context.Context, rdb *redis.Client, key, name string, points float64) error {
	return errors.New("not done yet: write AddScore in exercises/pipelines/07_leaderboard.go")
}

// TopK returns the k best players of the leaderboard at key, best first,
// and their ranks: top[i].Member is a name, top[i].Score its score, and
// ranks[i] its rank.
//
// Players are ordered by score, highest first, and players with equal
// scores by name, A to Z. Equal scores share a rank, which is 1 plus the
// number of players with a higher score: scores 50, 40, 40, 30 rank 1, 2,
// 2, 4. When players are tied at the k-th place, those first by name are
// kept.
//
// Fetch the top of the board only, never all of it (the grader counts
// the players the replies carry, whatever the commands): ZREVRANGE …
// WITHSCORES gives the first k, but it orders equal scores Z to A, so some
// of the players tied with the k-th that must be kept may come after it;
// ask for those tied with the k-th separately (ZRANGEBYSCORE with their
// score as both min and max orders them A to Z; write the score as
// strconv.FormatFloat(score, 'g', -1, 64), since it need not be whole).
// k < 1, or no board: an empty result, no error.
func TopK(ctx context.Context, rdb *redis.Client, key string, k int) (top []redis.Z, ranks []int, err error) {
	return nil, nil, errors.New("not done yet: write TopK in exercises/pipelines/07_leaderboard.go")
}
