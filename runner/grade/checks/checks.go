// Package checks holds what the grader checks of each exercise of the
// course (chapter 1's package redisbasics, chapter 2's pipelines): the
// results the learner's functions return, what they leave in Redis, and
// which commands they send to get there.
//
// The checks are written once, against functions of the exercises' types,
// so that the same checks grade the learner's exercises, the reference
// solutions and any submission. They run in the checker, a program the
// grader builds once (Main is its body), which links no submission code:
// the graded package's functions are called in another process, the shim
// the grader builds around it (see packages grade, shim and wire), and its
// Redis commands reach the backend through a gate of the checker's (package
// redisgate), where the checks watch them. The checks' own tests pass
// functions in as values (Funcs) and run in process. One run of the checker
// runs one exercise against a fresh Redis, so that a panic or a hang fails
// that exercise alone.
package checks

import "github.com/redis-notebook/tutorial/runner/grade/verdict"

// Funcs are the graded package's functions by name, for example
// "SaveJSON": redisbasics.SaveJSON. A function the package does not declare
// is absent; one with another signature than the exercise asks for fails
// that exercise with a message saying so.
type Funcs map[string]any

// Unusable stands, in Funcs, for a function the package declares but the
// harness cannot pass as a value (it has type parameters): the check
// fails with this message instead of calling it.
type Unusable string

// The verdict types live in package verdict, which has no dependencies, so
// that the runner can read results without linking Redis clients.
type (
	Status = verdict.Status
	Result = verdict.Result
)

const (
	Passed        = verdict.Passed
	Failed        = verdict.Failed
	NotDone       = verdict.NotDone
	Error         = verdict.Error
	NotDonePrefix = verdict.NotDonePrefix
)

// A Rule is a way of using Redis that an exercise demands.
type Rule struct {
	Name string // what to do, as an imperative
	Why  string // why it matters on a real server
}

// The rules the exercises check by watching the commands sent.
var (
	RuleScan = Rule{
		Name: "find keys with SCAN, not KEYS",
		Why: "KEYS walks every key of the database in one command. On a server with millions of keys that " +
			"takes seconds, and Redis, which runs one command at a time, answers no other client meanwhile. " +
			"SCAN walks the same keys a page at a time, and other clients get their turn between pages.",
	}
	RuleHScan = Rule{
		Name: "read the hash with HSCAN, not HGETALL, HKEYS or HVALS",
		Why: "HGETALL, HKEYS and HVALS answer with the whole hash in one reply. On a hash of millions of " +
			"fields the server stalls every other client while it builds that reply, and the client must " +
			"hold all of it in memory. HSCAN reads a page at a time.",
	}
	RuleOneTrip = Rule{
		Name: "write every field in one round trip",
		Why: "each command waits for its reply to come back over the network. At 1 ms to a server in " +
			"another building, 10,000 groups take 10 s one HSET at a time, and about 1 ms in one HSET with " +
			"every field, or one pipeline.",
	}
	RuleLLenFirst = Rule{
		Name: "fetch only the lists that LLEN says are long enough",
		Why: "LLEN answers with one number however long the list is; LRANGE sends the whole list over the " +
			"network. Fetching every list to count it in Go moves all the data to keep a few percent of it.",
	}
)

// An exercise is the checks of one exercise.
type exercise struct {
	id    int
	name  string
	funcs []string // in the order the check uses them
	check func(t *T)
	// clock: the check moves the server's clock (T.advance), which on
	// the embedded server it reaches directly.
	clock bool
}

// exercises are the course's exercises, every chapter's, in order. The manifest,
// exercises/exercises.json, gives each its title, file, points and hint;
// the grader's tests keep the two in step.
var exercises = []exercise{
	{1, "json", []string{"SaveJSON", "LoadJSON"}, checkJSON, false},
	{2, "lists", []string{"PushFront", "PopFront"}, checkLists, false},
	{3, "letters", []string{"StoreLetterCounts", "LetterCounts"}, checkLetters, false},
	{4, "anagram-lists", []string{"BigAnagramLists"}, checkAnagramLists, false},
	{5, "anagram-hash", []string{"StoreAnagramHash"}, checkAnagramHash, false},
	{6, "anagram-groups", []string{"BigAnagramGroups"}, checkAnagramGroups, false},
	// Chapter 2's, package pipelines.
	{7, "leaderboard", []string{"AddScore", "TopK"}, checkLeaderboard, false},
	{8, "cache", []string{"Lookup", "Update"}, checkCache, true},
	{9, "bulk-load", []string{"LoadAnagrams"}, checkBulkLoad, false},
	{10, "rate-limit", []string{"Allow"}, checkRateLimit, true},
	{11, "transfer", []string{"Transfer"}, checkTransfer, false},
}

// An Exercise names one exercise that has checks.
type Exercise struct {
	ID    int
	Name  string
	Funcs []string
}

// Exercises lists the exercises that have checks, in order.
func Exercises() []Exercise {
	out := make([]Exercise, len(exercises))
	for i, e := range exercises {
		out[i] = Exercise{e.id, e.name, e.funcs}
	}
	return out
}

func find(id int) *exercise {
	for i := range exercises {
		if exercises[i].id == id {
			return &exercises[i]
		}
	}
	return nil
}
