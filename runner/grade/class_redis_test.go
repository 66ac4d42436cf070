package grade

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/tools/txtar"

	"github.com/redis-notebook/tutorial/runner/grade/verdict"
	"github.com/redis-notebook/tutorial/runner/internal/needs"
)

// TestGradeClassOnRedis grades a class on the real server at $REDIS_URL
// (database 9 is this test's), one exercise after another in the same
// database: the verdicts are those of the embedded server, a failure
// that only a real server's paging shows is caught, and the database is
// empty afterwards. A database holding somebody's key is refused; with
// AllowDirty the class is graded beside it, and the key is left as it
// was. Graded again unchanged, nothing runs on the server: the verdicts
// are reused.
func TestGradeClassOnRedis(t *testing.T) {
	url := needs.Redis(t, 9)
	ropt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(ropt)
	defer rdb.Close()
	ctx := context.Background()
	if err := rdb.FlushDB(ctx).Err(); err != nil { // this test's database
		t.Fatal(err)
	}
	dir := t.TempDir()
	wrong, _ := txtar.ParseFile("testdata/wrong/lists-lpush-order.txtar")
	scanOnce, _ := txtar.ParseFile("testdata/wrong/anagram-lists-scan-once.txtar")
	submission(t, dir, "alice", "solutions", nil)
	submission(t, dir, "bob", "exercises", nil)
	submission(t, dir, "erin", "solutions", wrong.Files)
	submission(t, dir, "sam", "solutions", scanOnce.Files)
	opt := ClassOptions{Options: options()}
	opt.RedisURL = url
	opt.Timeout = 5 * time.Second

	grade := func() *Class {
		t.Helper()
		c, err := GradeClass(ctx, dir, manifest.Exercises, opt)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"alice": "✓✓✓✓✓✓", "bob": "······", "erin": "✓✗✓✓✓✓", "sam": "✓✓✓✗✓✓"}
		for _, s := range c.Submissions {
			marks := ""
			for _, r := range s.rows(c.Exercises) {
				marks += map[verdict.Status]string{verdict.Passed: "✓", verdict.NotDone: "·", verdict.Failed: "✗"}[r.Status]
			}
			if marks != want[s.Name] || s.Report == nil || s.Report.Backend != "redis" {
				t.Errorf("%s: %s, want %s on redis:\n%s", s.Name, marks, want[s.Name], text(s.report(c.Exercises)))
			}
		}
		return c
	}
	grade()
	if n := rdb.DBSize(ctx).Val(); n != 0 {
		t.Errorf("%d keys left in %s after grading", n, url)
	}
	// Graded again unchanged, on the same server: the verdicts are
	// reused, and nothing runs on it.
	if c := grade(); c.Reused != len(c.Submissions) {
		t.Errorf("graded again unchanged on %s, %d of %d verdicts reused", url, c.Reused, len(c.Submissions))
	}
	opt.Regrade = true // from here on, graded on the server each time

	if err := rdb.Set(ctx, "somebody", "theirs", 0).Err(); err != nil {
		t.Fatal(err)
	}
	defer rdb.Del(ctx, "somebody")
	if _, err := GradeClass(ctx, dir, manifest.Exercises, opt); err == nil || !strings.Contains(err.Error(), "already holds 1 key;") {
		t.Errorf("a database holding a key: %v, want it refused", err)
	}
	opt.AllowDirty = true
	grade()
	if keys := rdb.Keys(ctx, "*").Val(); len(keys) != 1 || rdb.Get(ctx, "somebody").Val() != "theirs" {
		t.Errorf("after grading beside somebody's key, the database holds %q", keys)
	}
}
