// Package redisbasics holds the exercises of chapter 1, "Redis": six tasks,
// one file each, that keep Go values in Redis's strings, lists and hashes,
// and find anagrams among many keys without blocking the server.
//
// Every function here returns an error saying it is not done yet. Replace
// its body, then grade it:
//
//	go run ./runner check 1        (or by name: check json)
//	go run ./runner check          all six, and your progress
//	go run ./runner check --watch  grade again on every save
//
// The grader calls your functions against a fresh, empty Redis, compares
// what they return and what they leave in Redis with what the task asks,
// on fixed cases and on generated ones, and watches the commands they send:
// where a task says SCAN or HSCAN rather than KEYS or HGETALL, or one round
// trip, that is checked too, because on a real server it matters.
//
// Every function takes ctx and rdb first. Pass ctx on to every command
// (rdb.Set(ctx, ...)): it is how a caller says when to give up.
package redisbasics
