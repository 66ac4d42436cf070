// Package searchindex is the reference solution of the exercises of
// chapter 3, a search index in Redis: the same functions, with the same
// doc comments, as exercises/searchindex, written the way the chapter
// recommends. The grader's own tests prove that each one passes:
//
//	go run ./runner check --solutions
//
// Read one after you have solved its exercise, not before.
package searchindex
