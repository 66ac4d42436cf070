// Package redisbasics is the reference solution of the exercises of chapter
// 1, "Redis": the same functions, with the same doc comments, as
// exercises/redisbasics, written the way the chapter recommends. The
// grader's own tests prove that each one passes:
//
//	go run ./runner check --solutions
//
// Read one after you have solved its exercise, not before.
package redisbasics
