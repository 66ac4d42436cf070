// Package pipelines holds the exercises of chapter 2, "Round Trips:
// Pipelines, Expiry and Transactions": tasks, one file each, numbered on
// from chapter 1's, that are graded on what they send as much as on what
// they leave in Redis.
//
// Every function here returns an error saying it is not done yet. Replace
// its body, then grade it:
//
//	go run ./runner check 7        (or by name: check leaderboard)
//	go run ./runner check          every chapter's exercises, and your progress
//	go run ./runner check --watch  grade again on every save
//
// The grader calls your functions against a fresh, empty Redis, compares
// what they return and what they leave in Redis with what the task asks,
// on fixed cases and on generated ones, and watches the commands they send
// and the round trips that carry them.
//
// Every function takes ctx and rdb first. Pass ctx on to every command
// (rdb.Set(ctx, ...)): it is how a caller says when to give up.
package pipelines
