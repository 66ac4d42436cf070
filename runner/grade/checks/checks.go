// Package checks holds what the grader checks of each exercise of the
// course (chapter 1's package redisbasics, chapter 2's pipelines,
// chapter 3's searchindex): the
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
// functions in as values (Funcs) and run in process. The checker runs a
// submission's exercises one after another (Serve), each against a fresh
// Redis and a shim process of its own, so that a panic or a hang fails
// that exercise alone.
package checks

import (
	"fmt"
	"maps"
	"slices"

	"github.com/redis-notebook/tutorial/runner/grade/verdict"
)

// Funcs are the graded package's functions by name, for example
// "SaveJSON": redisbasics.SaveJSON. A function the package does not declare
// is absent; one with another signature than the exercise asks for fails
// that exercise with a message saying so.
type Funcs map[string]any

// Unusable stands, in Funcs, for a function the package declares but the
// harness cannot pass as a value (it has type parameters): the check
// fails with this message instead of calling it.
type Unusable string

// Result is what one exercise's run found. It lives in package verdict,
// which has no dependencies, so that the runner can read results without
// linking Redis clients; so do the statuses (verdict.Passed…).
type Result = verdict.Result

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

// A check is the Go half of one exercise; the manifest,
// exercises/exercises.json, owns the rest: its id, its order, its
// functions, its title, file, points and hint.
type check struct {
	run func(t *T)
	// clock: the check moves the server's clock (T.advance), which on
	// the embedded server it reaches directly.
	clock bool
}

// checks are the course's checks, registered by the manifest's exercise
// names. Disagreements says where the two part ways; the grader's tests
// keep them in step.
var checks = map[string]check{
	// Chapter 1's, package redisbasics.
	"json":           {checkJSON, false},
	"lists":          {checkLists, false},
	"letters":        {checkLetters, false},
	"anagram-lists":  {checkAnagramLists, false},
	"anagram-hash":   {checkAnagramHash, false},
	"anagram-groups": {checkAnagramGroups, false},
	// Chapter 2's, package pipelines.
	"leaderboard": {checkLeaderboard, false},
	"cache":       {checkCache, true},
	"bulk-load":   {checkBulkLoad, false},
	"rate-limit":  {checkRateLimit, true},
	"transfer":    {checkTransfer, false},
	// Chapter 3's, package searchindex.
	"index-page":  {checkIndexPage, false},
	"word-pages":  {checkWordPages, false},
	"search":      {checkSearch, false},
	"reindex":     {checkReindex, false},
	"remove-page": {checkRemovePage, false},
}

// An Exercise is what the checker is told of one exercise, from the
// manifest: its id, the name its check is registered by, and the
// functions the learner writes.
type Exercise struct {
	ID    int
	Name  string
	Funcs []string
}

// Disagreements lists, one line each, where the manifest's exercises
// (all of them, in the manifest's order) and the registered checks part
// ways: an exercise with no check, a check with no exercise, an exercise
// with no functions to call. None: the two agree.
func Disagreements(manifest []Exercise) []string {
	var out []string
	listed := map[string]bool{}
	for _, e := range manifest {
		listed[e.Name] = true
		if _, ok := checks[e.Name]; !ok {
			out = append(out, fmt.Sprintf("exercise %d %q has no check registered by its name", e.ID, e.Name))
		}
		if len(e.Funcs) == 0 {
			out = append(out, fmt.Sprintf("exercise %d %q names no functions", e.ID, e.Name))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(checks)) {
		if !listed[name] {
			out = append(out, fmt.Sprintf("the check %q has no exercise of that name", name))
		}
	}
	return out
}
