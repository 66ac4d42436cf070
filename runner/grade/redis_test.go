package grade

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/redis-notebook/tutorial/runner/grade/verdict"
	"github.com/redis-notebook/tutorial/runner/internal/needs"
	"github.com/redis-notebook/tutorial/runner/redisbackend"
)

// TestRealRedis grades on the real server at $REDIS_URL (database 4 is
// this test's): the reference solutions pass there too, and code that
// reads one SCAN or HSCAN page fails there as on the grader's miniredis,
// because a real server pages for itself; and so for chapter 3's. Afterwards
// the database is empty again: the grader removes the keys it created.
func TestRealRedis(t *testing.T) {
	url := needs.Redis(t, 4)
	empty := func(when string) {
		t.Helper()
		b, err := redisbackend.Open(redisbackend.Config{URL: url})
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		b.Close()
	}
	empty("before")
	opt := options()
	opt.RedisURL = url

	rep := check(t, filepath.Join(root, "solutions", manifest.Package), manifest.Exercises, opt)
	if !rep.OK() || rep.Backend != "redis" {
		t.Fatalf("the reference solutions on %s:\n%s", url, text(rep))
	}
	empty("after the solutions")

	for name, want := range map[string]string{
		"anagram-lists-scan-once":   "your last SCAN answered cursor",
		"letters-hscan-once":        "your last HSCAN answered cursor",
		"anagram-groups-hscan-once": "your last HSCAN answered cursor",
		"anagram-lists-keys":        "broke a rule: find keys with SCAN, not KEYS",
	} {
		a, err := txtar.ParseFile("testdata/wrong/" + name + ".txtar")
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		writeFiles(t, dir, a.Files)
		var ex []Exercise
		for _, e := range manifest.Exercises {
			if strings.Contains(string(a.Comment), "exercise: "+e.Name+"\n") {
				ex = append(ex, e)
			}
		}
		rep := check(t, filepath.Join(dir, "redisbasics"), ex, opt)
		if len(rep.Results) != 1 || rep.Results[0].Status != verdict.Failed || !strings.Contains(squeeze(text(rep)), want) {
			t.Errorf("%s on %s: want a failure saying %q:\n%s", name, url, want, text(rep))
		}
		empty("after " + name)
	}

	// Chapter 3's: the solutions pass, and what each exercise forbids is
	// caught on a real server's paging and a real transaction too.
	set := course.Package("searchindex")
	rep = check(t, filepath.Join(root, "solutions", set.Package), set.Exercises, opt)
	if !rep.OK() {
		t.Fatalf("chapter 3's reference solutions on %s:\n%s", url, text(rep))
	}
	empty("after chapter 3's solutions")
	for name, want := range map[string]string{
		"word-pages-huge-count":  "broke a rule: read a big hash a page at a time",
		"word-pages-hscan-once":  "your last HSCAN answered cursor",
		"search-in-go":           "broke a rule: rank in Redis and fetch only the top",
		"reindex-plain-pipeline": "broke a rule: change a page's entries in one step",
		"remove-page-keys":       "broke a rule: find the index's keys a page at a time",
	} {
		a, err := txtar.ParseFile("testdata/wrong/" + name + ".txtar")
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		writeFiles(t, dir, a.Files)
		var ex []Exercise
		for _, e := range set.Exercises {
			if strings.Contains(string(a.Comment), "exercise: "+e.Name+"\n") {
				ex = append(ex, e)
			}
		}
		rep := check(t, filepath.Join(dir, set.Package), ex, opt)
		if len(rep.Results) != 1 || rep.Results[0].Status != verdict.Failed || !strings.Contains(squeeze(text(rep)), want) {
			t.Errorf("%s on %s: want a failure saying %q:\n%s", name, url, want, text(rep))
		}
		empty("after " + name)
	}
}
