// Package searchindex holds the exercises of chapter 3, a search index in
// Redis: tasks, one file each, numbered on from chapter 2's, on the index
// the chapter builds, graded on what they leave in Redis, on what the
// replies to their commands carried, and on what other clients can see
// between their round trips.
//
// The index is the book's: for each word, a hash at prefix+word (the
// chapter's prefix is "Index:") from a page's URL to the number of times
// the page uses the word, where a page is listed under a word only when it
// uses it at least 3 times. The words of a page come to your functions as
// a []string, already split and lower-cased, in the page's order.
//
// Every function here returns an error saying it is not done yet. Replace
// its body, then grade it:
//
//	go run ./runner check 12       (or by name: check index-page)
//	go run ./runner check          every chapter's exercises, and your progress
//	go run ./runner check --watch  grade again on every save
//
// Every function takes ctx and rdb first. Pass ctx on to every command
// (rdb.HSet(ctx, ...)): it is how a caller says when to give up.
package searchindex
