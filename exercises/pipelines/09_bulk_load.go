package pipelines

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// Exercise 9: load words in batches through a pipeline.
//
// The chapter loads its word list onto anagram lists, a thousand RPUSHes
// per pipeline: each word goes to the end of the list at prefix plus its
// signature (its letters, sorted: "least" goes to prefix+"aelst").

// LoadAnagrams pushes every word onto its anagram list, in the order of
// words, sending the RPUSHes batch at a time (batch >= 1): one pipeline,
// one round trip, per batch, and no round trip with more than batch
// commands. Both sides hold a whole pipeline in memory, which is why a
// pipeline of everything is not the answer either.
//
// A command that fails does not stop the others (a key that is not a
// list answers WRONGTYPE): load every word that can be loaded, and return
// an error that names the first word whose RPUSH failed, and no other
// word (neither the rest of its batch nor later failures). Pipelined's own
// error says only that something failed: look at each command of the
// batch (its Err) to find which.
func LoadAnagrams(ctx context.Context, rdb *redis.Client, prefix string, words []string, batch int) error {
	return errors.New("not done yet: write LoadAnagrams in exercises/pipelines/09_bulk_load.go")
}
