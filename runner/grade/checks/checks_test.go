package checks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-notebook/tutorial/runner/grade"
	"github.com/redis-notebook/tutorial/runner/grade/verdict"
	"github.com/redis-notebook/tutorial/runner/redisbackend"
	chapter2 "github.com/redis-notebook/tutorial/solutions/pipelines"
	solution "github.com/redis-notebook/tutorial/solutions/redisbasics"
	chapter3 "github.com/redis-notebook/tutorial/solutions/searchindex"
)

// solutions are the reference solutions, linked into the test: the checks
// run in process here, on many seeds, which is how a check that fails a
// correct answer now and then shows up.
var solutions = Funcs{
	"SaveJSON":          solution.SaveJSON,
	"LoadJSON":          solution.LoadJSON,
	"PushFront":         solution.PushFront,
	"PopFront":          solution.PopFront,
	"StoreLetterCounts": solution.StoreLetterCounts,
	"LetterCounts":      solution.LetterCounts,
	"BigAnagramLists":   solution.BigAnagramLists,
	"StoreAnagramHash":  solution.StoreAnagramHash,
	"BigAnagramGroups":  solution.BigAnagramGroups,
	"AddScore":          chapter2.AddScore,
	"TopK":              chapter2.TopK,
	"Lookup":            chapter2.Lookup,
	"Update":            chapter2.Update,
	"LoadAnagrams":      chapter2.LoadAnagrams,
	"Allow":             chapter2.Allow,
	"Transfer":          chapter2.Transfer,
	"IndexPage":         chapter3.IndexPage,
	"WordPages":         chapter3.WordPages,
	"Search":            chapter3.Search,
	"Reindex":           chapter3.Reindex,
	"RemovePage":        chapter3.RemovePage,
}

// course is the manifest's exercises, as the grader tells the checker
// them.
func course(t *testing.T) []Exercise {
	t.Helper()
	m, err := grade.LoadManifest(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	var out []Exercise
	for _, e := range m.Exercises() {
		out = append(out, Exercise{ID: e.ID, Name: e.Name, Funcs: e.Funcs})
	}
	return out
}

// exercise is the manifest's exercise id.
func exercise(t *testing.T, id int) Exercise {
	t.Helper()
	for _, e := range course(t) {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("%s has no exercise %d", grade.ManifestPath, id)
	return Exercise{}
}

func TestSolutionsPassOnManySeeds(t *testing.T) {
	seeds := 25
	if testing.Short() {
		seeds = 3
	}
	if n, err := strconv.Atoi(os.Getenv("CHECKS_SEEDS")); err == nil {
		seeds = n // a longer hunt for checks that fail a correct answer now and then
	}
	for _, e := range course(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			for seed := range uint64(seeds) {
				r := Run(Config{Exercise: e, Seed: seed + 1}, solutions)
				if r.Status != verdict.Passed {
					t.Fatalf("seed %d: %s: %+v", seed+1, r.Status, r)
				}
			}
		})
	}
}

func notDone(name string) error { return errors.New(verdict.NotDonePrefix + ": write " + name) }

func TestNotDone(t *testing.T) {
	stubs := Funcs{
		"SaveJSON": func(context.Context, *redis.Client, string, any) error { return notDone("SaveJSON") },
		"LoadJSON": func(context.Context, *redis.Client, string, any) error { return notDone("LoadJSON") },
	}
	if r := Run(Config{Exercise: exercise(t, 1)}, stubs); r.Status != verdict.NotDone {
		t.Errorf("stubs: got %s %q, want not done", r.Status, r.Message)
	}
	if r := Run(Config{Exercise: exercise(t, 1)}, Funcs{}); r.Status != verdict.NotDone {
		t.Errorf("missing functions: got %s %q, want not done", r.Status, r.Message)
	}
	// One done, one not: failed, and the message says which.
	half := Funcs{"SaveJSON": solution.SaveJSON, "LoadJSON": stubs["LoadJSON"]}
	r := Run(Config{Exercise: exercise(t, 1)}, half)
	if r.Status != verdict.Failed || r.Message != "LoadJSON is not done yet" {
		t.Errorf("half done: got %s %q, want failed, LoadJSON is not done yet", r.Status, r.Message)
	}
}

func TestWrongSignature(t *testing.T) {
	funcs := Funcs{
		"SaveJSON": func(ctx context.Context, rdb *redis.Client, key string, v string) error { return nil },
		"LoadJSON": solution.LoadJSON,
	}
	r := Run(Config{Exercise: exercise(t, 1)}, funcs)
	if r.Status != verdict.Failed || r.Message != "SaveJSON has the wrong signature" || !strings.Contains(r.Got, "v string") && !strings.Contains(r.Got, "string) error") {
		t.Errorf("got %s %q (got %q)", r.Status, r.Message, r.Got)
	}
}

func TestPanicIsAFailure(t *testing.T) {
	funcs := Funcs{
		"PushFront": func(ctx context.Context, rdb *redis.Client, key string, values ...string) error {
			var m map[string]int
			m[key]++ // assignment to entry in nil map
			return nil
		},
		"PopFront": solution.PopFront,
	}
	r := Run(Config{Exercise: exercise(t, 2)}, funcs)
	if r.Status != verdict.Failed || !strings.HasPrefix(r.Message, "PushFront panicked: assignment to entry in nil map") {
		t.Errorf("got %s %q", r.Status, r.Message)
	}
	if !strings.HasPrefix(r.Called, "PushFront(ctx, rdb, ") {
		t.Errorf("called = %q", r.Called)
	}
}

func TestHangIsAFailure(t *testing.T) {
	funcs := Funcs{
		"BigAnagramGroups": func(ctx context.Context, rdb *redis.Client, key string, min int) ([][]string, error) {
			for {
				// A loop that waits for an empty page, which never comes.
				if _, _, err := rdb.HScan(ctx, key, 0, "", 10).Result(); err != nil {
					return nil, err
				}
			}
		},
	}
	start := time.Now()
	r := Run(Config{Exercise: exercise(t, 6), Timeout: 500 * time.Millisecond}, funcs)
	if r.Status != verdict.Failed || r.Message != "BigAnagramGroups did not finish within 500ms" {
		t.Errorf("got %s %q", r.Status, r.Message)
	}
	if len(r.Sent) == 0 || !strings.HasPrefix(r.Sent[0], "HSCAN ") {
		t.Errorf("sent = %q, want the last HSCANs", r.Sent)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s to give up", d)
	}
}

// TestPaging checks that the grader's miniredis pages SCAN and HSCAN as a
// real server does (a hash past Redis's compact encoding), that go-redis's
// iterators follow it, and that the recorder notes a scan left unfinished.
func TestPaging(t *testing.T) {
	b, err := redisbackend.Open(redisbackend.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rec := newRecorder()
	b.Client.AddHook(rec)
	ctx := context.Background()
	for i := range 25 {
		b.Client.Set(ctx, fmt.Sprintf("k:%02d", i), i, 0)
	}
	for i := range 200 {
		b.Client.HSet(ctx, "h", fmt.Sprintf("f%03d", i), i)
	}
	rec.start()
	defer rec.stop()

	page, cursor, err := b.Client.Scan(ctx, 0, "k:*", 10).Result()
	// COUNT counts the keys visited, MATCH filters them afterwards: a
	// page holds at most 10 matches, as on a real server.
	if err != nil || len(page) == 0 || len(page) > 10 || cursor == 0 {
		t.Fatalf("first SCAN page: %d keys, cursor %d, %v; want a page of at most 10 and a cursor", len(page), cursor, err)
	}
	if c, ok := rec.unfinishedScan("scan"); !ok || c != cursor {
		t.Errorf("unfinishedScan = %d, %v; want %d, true", c, ok, cursor)
	}
	var keys []string
	iter := b.Client.Scan(ctx, 0, "k:*", 10).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if len(keys) != 25 {
		t.Errorf("SCAN iterator: %d keys, want 25", len(keys))
	}
	if _, ok := rec.unfinishedScan("scan"); ok {
		t.Error("a finished SCAN is reported unfinished")
	}
	fields := 0
	var c uint64
	for {
		page, next, err := b.Client.HScan(ctx, "h", c, "", 10).Result()
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 20 {
			t.Errorf("HSCAN page of %d elements, want at most 20 (10 fields, 10 values)", len(page))
		}
		fields += len(page) / 2
		if c = next; c == 0 {
			break
		}
	}
	if fields != 200 {
		t.Errorf("HSCAN: %d fields, want 200", fields)
	}
	cmds, trips := rec.sent()
	if trips != len(cmds) {
		t.Errorf("%d commands in %d round trips; without pipelines they are equal", len(cmds), trips)
	}
}

func TestRoundTrips(t *testing.T) {
	b, err := redisbackend.Open(redisbackend.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rec := newRecorder()
	b.Client.AddHook(rec)
	ctx := context.Background()
	rec.start()
	b.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, "h", "a", 1)
		p.HSet(ctx, "h", "b", 2)
		return nil
	})
	b.Client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, "h")
		return nil
	})
	rec.stop()
	b.Client.Get(ctx, "unrecorded")
	cmds, trips := rec.sent()
	if trips != 2 || len(cmds) != 3 {
		t.Errorf("got %d commands in %d round trips, want 3 in 2: %v", len(cmds), trips, cmds)
	}
}

func TestAnagramData(t *testing.T) {
	seen := map[string]bool{}
	for _, g := range append(bigGroups, smallGroups...) {
		for _, w := range g {
			if signature(w) != signature(g[0]) {
				t.Errorf("%q is not an anagram of %q", w, g[0])
			}
			if seen[w] {
				t.Errorf("%q is in two groups", w)
			}
			seen[w] = true
		}
	}
	if n := len(smallGroups[0]); n != 5 {
		t.Errorf("the first small group has %d words; the checks need one of 5, just under the chapter's 6", n)
	}
}

// TestWatchSteps: with watchSteps, another client looks between the
// commands of a pipeline that is no transaction, as Redis may let it, and
// only after a transaction, which Redis runs as one step.
func TestWatchSteps(t *testing.T) {
	b, err := redisbackend.Open(redisbackend.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rec := newRecorder()
	b.Client.AddHook(rec)
	ctx := context.Background()
	// The looks are another client's, which the recorder does not watch.
	other := (&T{rdb: b.Client}).otherClient()
	defer other.Close()
	b.Client.Ping(ctx) // the connection's handshake, before the recording
	var seen []string
	rec.watchSteps(func() {
		v, _ := other.HGetAll(ctx, "h").Result()
		seen = append(seen, fmt.Sprint(len(v)))
	})
	rec.start()
	b.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, "h", "a", 1)
		p.HSet(ctx, "h", "b", 2)
		p.HSet(ctx, "h", "c", 3)
		return nil
	})
	b.Client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HDel(ctx, "h", "a")
		p.HDel(ctx, "h", "b")
		return nil
	})
	rec.stop()
	if got := strings.Join(seen, " "); got != "1 2 3 1" {
		t.Errorf("fields seen between steps: %s; want 1 2 3 (a pipeline, a command at a time), then 1 (a transaction at once)", got)
	}
	if _, trips := rec.sent(); trips != 2 {
		t.Errorf("%d round trips, want 2: splitting a pipeline into steps adds none", trips)
	}
	rec.watchTrips(func() { seen = append(seen, "trip") })
	seen = nil
	rec.start()
	b.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, "h", "x", 1)
		p.HSet(ctx, "h", "y", 1)
		return nil
	})
	rec.stop()
	if len(seen) != 1 {
		t.Errorf("watchTrips looked %d times at one pipeline, want once", len(seen))
	}
}
